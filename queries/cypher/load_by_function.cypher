// Load per agency function with each city's counterpart units: one row per unit, heaviest function first.
// Units without a function form a group of their own, named "(unit)", as in `respgraph load --by function`.
// @param city STRING = ""  Only units of this city (厦门 or 厦门市); empty for all.
MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t:Task)
WHERE ($city = '' OR a.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
WITH a, t, min(CASE WHEN r.role = 'lead' THEN 0 ELSE 1 END) AS weaker
WITH a, count(t) AS total, sum(1 - weaker) AS lead
WITH CASE WHEN a.function = '' THEN '(' + a.name + ')' ELSE a.function END AS function, a, lead, total
WITH function, sum(lead) AS function_lead, sum(total) AS function_total,
     collect({unit: a.name, city: a.region, lead: lead, total: total}) AS units
UNWIND units AS u
RETURN function, u.city AS city, u.unit AS unit, u.lead AS lead, u.total - u.lead AS support, u.total AS total,
       function_lead, function_total - function_lead AS function_support, function_total
ORDER BY function_total DESC, function_lead DESC, function, city, total DESC, lead DESC, unit
// @embedded  The loader counts each unit's tasks and leads, a task once under its stronger role (_tasks, _leads).
MATCH (a:Agency)
WHERE a._tasks > 0
  AND ($city = '' OR a.region IN [$city, $city + '市', $city + '省', $city + '区', $city + '县', $city + '州'])
WITH CASE WHEN a.function = '' THEN '(' + a.name + ')' ELSE a.function END AS function, a
WITH function, sum(a._leads) AS function_lead, sum(a._tasks) AS function_total,
     collect({unit: a.name, city: a.region, lead: a._leads, total: a._tasks}) AS units
UNWIND units AS u
RETURN function, u.city AS city, u.unit AS unit, u.lead AS lead, u.total - u.lead AS support, u.total AS total,
       function_lead, function_total - function_lead AS function_support, function_total
ORDER BY function_total DESC, function_lead DESC, function, city, total DESC, lead DESC, unit
