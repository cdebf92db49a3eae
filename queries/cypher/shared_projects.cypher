// Named projects and facilities that several documents mention, with the cities naming them.
// @param min_docs INT64 = 2  At least this many documents.
MATCH (t:Task)-[:MENTIONS]->(p:Project)
WITH p, count(DISTINCT t.doc) AS documents, collect(t.city) AS named
WHERE documents >= $min_docs
// cities sorted (see topic_overlap.cypher).
UNWIND named AS city
WITH DISTINCT p, documents, city
ORDER BY city SKIP 0
WITH p, documents, collect(city) AS cities
RETURN p.name AS project, documents, cities
ORDER BY documents DESC, project
