// Tasks of two different plans that read alike, most similar first.
// Similar means character-bigram TF-IDF cosine at or above the threshold in graph_build/similarity.py.
// @param city STRING = ""  Only pairs with a task of this city (福州 or 福州市); empty for all.
// @param min_score DOUBLE = 0.0  Only pairs scoring at least this.
// @param limit INT64 = 50  At most this many pairs.
MATCH (a:Task)-[s:SIMILAR_TO]->(b:Task)
WHERE s.score >= $min_score
  AND ($city = '' OR a.city IN [$city, $city + '市', $city + '省'] OR b.city IN [$city, $city + '市', $city + '省'])
RETURN a.city AS city_a, a.number AS number_a, a.title AS title_a, b.city AS city_b, b.number AS number_b,
       b.title AS title_b, s.score AS score, a.id AS task_a, b.id AS task_b
ORDER BY score DESC, task_a, task_b
LIMIT $limit
