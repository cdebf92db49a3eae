// Tasks that no unit leads: tasks without a responsibility annotation, and annotated tasks naming only supporters.
// @param city STRING = ""  Only tasks of this city or province (福建 or 福建省); empty for all.
// @param annotated BOOLEAN = false  true: only tasks that do name responsible units, none of them as lead.
MATCH (t:Task)-[:TASK_OF]->(d:Document)
WHERE ($city = '' OR t.city IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
  AND NOT EXISTS { MATCH (:Agency)-[r:RESPONSIBLE_FOR]->(t) WHERE r.role = 'lead' }
  AND (NOT $annotated OR EXISTS { MATCH (:Agency)-[:RESPONSIBLE_FOR]->(t) })
OPTIONAL MATCH (a:Agency)-[:RESPONSIBLE_FOR]->(t)
WITH t, d, count(a) AS units
RETURN t.city AS city, d.title AS doc, t.number AS number, t.title AS title, units AS supporters,
       t.file AS file, t.line_start AS line, t.id AS task
ORDER BY city, doc, t.ordinal, task
// @embedded  The loader counts each task's RESPONSIBLE_FOR edges and lead edges (_units, _leads).
MATCH (t:Task)-[:TASK_OF]->(d:Document)
WHERE ($city = '' OR t.city IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
  AND t._leads = 0 AND (t._units > 0 OR NOT $annotated)
RETURN t.city AS city, d.title AS doc, t.number AS number, t.title AS title, t._units AS supporters,
       t.file AS file, t.line_start AS line, t.id AS task
ORDER BY city, doc, t.ordinal, task
