// Provincial tasks and how many city tasks take each up (0: no city plan does), fewest first.
// @param doc STRING = ""  Only tasks of the provincial plan whose title contains this; empty for all.
MATCH (p:Task)-[:TASK_OF]->(d:Document)
WHERE d.level = 'province' AND ($doc = '' OR d.title CONTAINS $doc)
WITH p, d
OPTIONAL MATCH (c:Task)-[:TAKES_UP]->(p)
WITH d.title AS doc, p, count(c) AS takers, collect(DISTINCT c.city) AS cities
RETURN doc, p.number AS number, p.title AS title, takers, cities, p.id AS task
ORDER BY takers, doc, p.ordinal, task
