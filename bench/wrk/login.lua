-- login.lua: POST /api/v1/auth/login as the generated users user00001..userN in turn (N =
-- BENCH_USERS, password BENCH_PASSWORD): every request a real Argon2id check and a new session.
-- With BENCH_USERS=0 it logs in as the demo's leader.
local n = tonumber(os.getenv("BENCH_USERS") or "0")
local password = os.getenv("BENCH_PASSWORD") or "Demo@2026"
local i = 0
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end
function init(args)
	i = (tid or 0) * 7919
end
local headers = { ["Content-Type"] = "application/json" }
function request()
	i = i + 1
	local user = n > 0 and string.format("user%05d", i % n + 1) or "leader"
	return wrk.format("POST", "/api/v1/auth/login", headers,
		'{"username":"' .. user .. '","password":"' .. password .. '"}')
end
