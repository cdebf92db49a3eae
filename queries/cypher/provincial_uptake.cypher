// Provincial tasks and how many city tasks take each up (0: no city plan does), fewest first.
// @param doc STRING = ""  Only tasks of the provincial plan whose title contains this; empty for all.
MATCH (p:Task)-[:TASK_OF]->(d:Document)
WHERE d.level = 'province' AND ($doc = '' OR d.title CONTAINS $doc)
WITH p, d
OPTIONAL MATCH (c:Task)-[:TAKES_UP]->(p)
WITH d.title AS doc, p, count(c) AS takers, collect({city: c.city}) AS taken
// cities sorted (see topic_overlap.cypher): every task keeps a row, {city: null} when no city takes it up.
UNWIND taken AS n
WITH DISTINCT doc, p, takers, n.city AS city
ORDER BY city SKIP 0
WITH doc, p, takers, collect(city) AS cities
RETURN doc, p.number AS number, p.title AS title, takers, cities, p.id AS task
ORDER BY takers, doc, p.ordinal, task
