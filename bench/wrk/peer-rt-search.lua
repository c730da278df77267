-- peer-rt-search.lua: wrk script of bench/peer.sh; GET PEER_RT_PATH (a REST 2 ticket search)
-- with the sessions of PEER_RT_COOKIES; PEER_THREADS is wrk's thread count.
local sessions = dofile("bench/wrk/peer-rt-cookies.lua")
local path = os.getenv("PEER_RT_PATH") or "/REST/2.0/tickets?query=id>0"
local threads = 0
local cookie

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	cookie = sessions(tid or 1, tonumber(os.getenv("PEER_THREADS") or "1"))
end

function request()
	return wrk.format("GET", path, { ["Cookie"] = cookie() })
end
