"""The faces served over HTTP: the API (api, openapi), rq-dashboard (dashboard), and
the production server both run on (serving). Faces may import anything."""
