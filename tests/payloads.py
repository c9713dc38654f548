"""SPARQL injection payloads, sent through every parameter that takes text."""

PAYLOADS = [
    '" || true || "',
    "' || true || '",
    "> || true || ?s = <",
    "}} SERVICE <http://127.0.0.1:9/> {",
    '\\"',
    '"\n} UNION { ?statement ?p ?o } #',
    'x" . ?statement ?p ?o . FILTER("1"="1',
    "\n",
    'Bob agreed") || ("',
    "') } ; DROP ALL ; SELECT * { ('",
    "?statement",
    "<https://w3id.org/kzeu/id/statement-1>",
    "\\u0022) || true || (\\u0022",
    '""" || true || """',
]
