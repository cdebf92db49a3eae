// Documents with issuer, number, date, period, task counts, how many tasks name a responsible unit, and how many units.
// @param city STRING = ""  Only documents of this city or province (福建 or 福建省); empty for all.
MATCH (d:Document)
WHERE $city = '' OR d.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州']
OPTIONAL MATCH (t:Task)-[:TASK_OF]->(d)
OPTIONAL MATCH (a:Agency)-[:RESPONSIBLE_FOR]->(t)
WITH d, count(DISTINCT CASE WHEN a IS NOT NULL THEN t.id END) AS annotated_tasks, count(DISTINCT a.id) AS units
RETURN d.region AS region, d.title AS title, d.issuer AS issuer, d.number AS number, d.date AS date,
       d.period AS period, d.task_count AS tasks, annotated_tasks, units, d.truncated AS truncated
ORDER BY region, title, d.id
