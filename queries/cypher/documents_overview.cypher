// Documents with issuer, number, date, period, task counts, how many tasks name a responsible unit, and how many units.
// @param city STRING = ""  Only documents of this city or province (福建 or 福建省); empty for all.
MATCH (d:Document)
WHERE $city = '' OR d.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州']
OPTIONAL MATCH (a:Agency)-[:RESPONSIBLE_FOR]->(t:Task)-[:TASK_OF]->(d)
WITH d, count(DISTINCT t) AS annotated_tasks, count(DISTINCT a) AS units
RETURN d.region AS region, d.title AS title, d.issuer AS issuer, d.number AS number, d.date AS date,
       d.period AS period, d.task_count AS tasks, annotated_tasks, units, d.truncated AS truncated
ORDER BY region, title, d.id
// @embedded  The loader counts each document's annotated tasks and units (_annotated_tasks, _units).
MATCH (d:Document)
WHERE $city = '' OR d.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州']
RETURN d.region AS region, d.title AS title, d.issuer AS issuer, d.number AS number, d.date AS date,
       d.period AS period, d.task_count AS tasks, d._annotated_tasks AS annotated_tasks, d._units AS units,
       d.truncated AS truncated
ORDER BY region, title, d.id
