"""The smallest WSGI app worth comparing the API against: read the body, answer a fixed JSON 200.

bench/api_load.py serves it with the API's own gunicorn.conf.py (same workers, threads, pinned
CPU and client load), so the API's figures can be stated as a ratio to what gunicorn alone costs
on the same machine in the same run: the ratio travels between machines, absolute figures do not.
"""

BODY = b'{"status": "ok"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    length = environ.get("CONTENT_LENGTH")
    if length:
        environ["wsgi.input"].read(int(length))
    start_response("200 OK", HEADERS)
    return [BODY]
