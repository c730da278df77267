-- get.lua: GET BENCH_PATH with the session cookie BENCH_COOKIE (name=value), keep-alive.
local path = os.getenv("BENCH_PATH") or "/api/v1/me"
wrk.method = "GET"
wrk.path = path
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
