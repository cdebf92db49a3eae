// Per topic and city: how many tasks are strongly about the topic and which units lead them.
// Strongly: a topic keyword in the title, or two in the text — the side-by-side view of `respgraph overlap`.
// @param topic STRING = ""  Only this topic (智慧教育); empty for all.
MATCH (t:Task)-[ab:ABOUT]->(tp:Topic)
WHERE ab.strength <> 'weak' AND ($topic = '' OR tp.name = $topic)
WITH tp, t
OPTIONAL MATCH (a:Agency)-[r:RESPONSIBLE_FOR]->(t)
WHERE r.role = 'lead'
WITH tp.name AS topic, t.city AS city, count(DISTINCT t) AS tasks, collect({lead: a.name}) AS named
// leads sorted, as the embedded form has them: collect() keeps the order of its rows on both engines,
// collect(DISTINCT) does not on ladybug. Every group keeps a row ({lead: null} for a task without lead).
UNWIND named AS n
WITH DISTINCT topic, city, tasks, n.lead AS lead
ORDER BY lead SKIP 0
WITH topic, city, tasks, collect(lead) AS leads
RETURN topic, city, tasks, leads
ORDER BY topic, city
// @embedded  The loader keeps these rows for every topic as _TopicCity nodes (leads sorted).
MATCH (c:_TopicCity)
WHERE $topic = '' OR c.topic = $topic
RETURN c.topic AS topic, c.city AS city, c.tasks AS tasks, c.leads AS leads
ORDER BY topic, city
