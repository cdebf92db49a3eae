// Every task a unit leads or supports, found by its exact agency name or by a name as printed in a plan.
// An exact agency name wins over aliases, as in `respgraph duties`; an alias printed in several cities
// (市工信局 in 泉州 and 厦门) finds the unit of each city unless city is given. Plan order.
// @param unit STRING  Agency name (福州市大数据委) or a name as printed in a plan (市大数据委).
// @param role STRING = ""  lead or support; empty for both.
// @param city STRING = ""  Only units of this city (福州 or 福州市); empty for all.
OPTIONAL MATCH (exact:Agency)
WHERE exact.name = $unit
  AND ($city = '' OR exact.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
WITH count(exact) AS exact_matches
MATCH (a:Agency)
WHERE (a.name = $unit OR (exact_matches = 0 AND $unit IN coalesce(a.aliases, [])))
  AND ($city = '' OR a.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
// Find the unit first, then its tasks: ladybug 0.22 drops every row when these filters sit in one WHERE.
WITH a
MATCH (a)-[r:RESPONSIBLE_FOR]->(t:Task)-[:TASK_OF]->(d:Document)
WITH a, r, t, d
WHERE $role = '' OR r.role = $role
RETURN a.name AS unit, t.city AS city, r.role AS role, d.title AS doc, t.number AS number, t.title AS title,
       t.file AS file, t.line_start AS line, t.id AS task
ORDER BY city, doc, t.ordinal, r.rank, unit, task
