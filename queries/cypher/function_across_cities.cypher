// The units of one function in every city, with their load and the names printed for them.
// The plans name the same function differently per city: the telecom regulator is 市通管办 in 福州,
// 市通信发展管理办 in 泉州 and 市通信管理局 in 厦门. Functions are listed in data/agency_functions.csv.
// @param function STRING  A function code (telecom_regulator, digital_authority, industry_it ...).
MATCH (a:Agency)
WHERE a.function = $function
OPTIONAL MATCH (a)-[r:RESPONSIBLE_FOR]->(t:Task)
WITH a, t, min(CASE WHEN r.role = 'lead' THEN 0 ELSE 1 END) AS weaker
WITH a, count(t) AS total, sum(CASE WHEN t IS NULL THEN 0 ELSE 1 - weaker END) AS lead
RETURN a.region AS city, a.name AS unit, a.kind AS kind, lead, total - lead AS support, total, coalesce(a.aliases, []) AS printed
ORDER BY city, total DESC, lead DESC, unit
