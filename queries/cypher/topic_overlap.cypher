// Per topic and city: how many tasks are strongly about the topic and which units lead them.
// Strongly: a topic keyword in the title, or two in the text — the side-by-side view of `respgraph overlap`.
// @param topic STRING = ""  Only this topic (智慧教育); empty for all.
MATCH (t:Task)-[ab:ABOUT]->(tp:Topic)
WHERE ab.strength <> 'weak' AND ($topic = '' OR tp.name = $topic)
WITH tp, t
OPTIONAL MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t)
WITH tp.name AS topic, t.city AS city, t, CASE WHEN r.role = 'lead' THEN a.name ELSE NULL END AS lead
WITH topic, city, count(DISTINCT t.id) AS tasks, collect(DISTINCT lead) AS leads
RETURN topic, city, tasks, leads
ORDER BY topic, city
