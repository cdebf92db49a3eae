// How many tasks each unit leads and supports, heaviest first.
// A unit named twice on one task counts once, under its stronger role (as `respgraph load` does).
// @param city STRING = ""  Only units of this city (泉州 or 泉州市); empty for all.
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task)
WHERE ($city = '' OR a.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
WITH a, t, min(CASE WHEN r.role = 'lead' THEN 0 ELSE 1 END) AS weaker
WITH a, count(t) AS total, sum(1 - weaker) AS lead
RETURN a.name AS unit, a.region AS city, a.kind AS kind, a.function AS function,
       lead, total - lead AS support, total
ORDER BY total DESC, lead DESC, city, unit
// @embedded  The loader counts each unit's tasks and leads, a task once under its stronger role (_tasks, _leads).
MATCH (a:Agency)
WHERE a._tasks > 0
  AND ($city = '' OR a.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
RETURN a.name AS unit, a.region AS city, a.kind AS kind, a.function AS function,
       a._leads AS lead, a._tasks - a._leads AS support, a._tasks AS total
ORDER BY total DESC, lead DESC, city, unit
