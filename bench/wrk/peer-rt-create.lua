-- peer-rt-create.lua: wrk script of bench/peer.sh; POST /REST/2.0/ticket into Request
-- Tracker's benchmark queue, each ticket with its own subject, body and requestor.
-- Environment: PEER_RT_COOKIES (session cookies, see peer-rt-cookies.lua), PEER_THREADS (wrk's
-- thread count), PEER_RT_URL (RT's own address: the Origin its pages send, without which RT
-- refuses a write authenticated by a session cookie as a cross-site request).
local words = dofile("bench/wrk/peer-text.lua")
local sessions = dofile("bench/wrk/peer-rt-cookies.lua")
local cookie
local origin = os.getenv("PEER_RT_URL")
local threads = 0
local n = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	math.randomseed(os.time() * 16 + (tid or 0))
	cookie = sessions(tid or 1, tonumber(os.getenv("PEER_THREADS") or "1"))
end

function request()
	n = n + 1
	local body = '{"Queue":"企业诉求","Subject":"' .. words(16) .. (tid or 0) .. "-" .. n .. '",'
		.. '"Requestor":"e' .. math.random(200) .. '@enterprise.test",'
		.. '"ContentType":"text/plain","Content":"' .. words(80) .. '"}'
	return wrk.format("POST", "/REST/2.0/ticket",
		{ ["Content-Type"] = "application/json", ["Cookie"] = cookie(), ["Origin"] = origin }, body)
end
