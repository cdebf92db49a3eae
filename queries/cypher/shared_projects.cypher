// Named projects and facilities that several documents mention, with the cities naming them.
// @param min_docs INT64 = 2  At least this many documents.
MATCH (t:Task)-[:MENTIONS]->(p:Project)
WITH p, count(DISTINCT t.doc) AS documents, collect(DISTINCT t.city) AS cities
WHERE documents >= $min_docs
RETURN p.name AS project, documents, cities
ORDER BY documents DESC, project
