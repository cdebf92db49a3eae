// The quantitative targets a unit answers for: those of the tasks it leads, and indicator rows naming it.
// Indicator rows name a unit in 厦门's annex; the count is the `targets` column of `respgraph load`.
// @param unit STRING  Agency name (厦门市通信管理局).
MATCH (a:Agency)
WHERE a.name = $unit
OPTIONAL MATCH (a)-[:ANSWERS_FOR]->(answered:Target)
WITH a, collect(answered) AS answered
OPTIONAL MATCH (a)-[r:RESPONSIBLE_FOR]->(:Task)-[:HAS_TARGET]->(promised:Target)
WHERE r.role = 'lead'
WITH a, answered, collect(promised) AS promised
UNWIND answered + promised AS g
WITH DISTINCT a, g
RETURN a.name AS unit, g.source AS source, g.metric AS metric, g.indicator AS indicator, g.year AS year,
       g.value AS value, g.unit AS value_unit, g.line AS line, g.id AS target
ORDER BY target
