"""The raw floor of the web benchmark: a bare endpoint of the same framework, served the same way.

``bench_web.py`` loads it with the same clients for the same time, so the service's latencies can be
read beside what FastAPI under uvicorn costs on this machine with nothing behind it.
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, bool]:
    """Nothing read, nothing rendered: the framework's own cost per request."""
    return {"ok": True}
