-- peer-rt-cookies.lua: the session cookies of bench/peer.sh's RT scripts. Each thread takes
-- its own share of the sessions in PEER_RT_COOKIES (space-separated "NAME=VALUE") and uses
-- them in turn, so concurrent requests mostly carry different sessions, as different people's
-- would (RT locks a session file while it reads it).
local all = {}
for c in (os.getenv("PEER_RT_COOKIES") or ""):gmatch("%S+") do all[#all + 1] = c end

return function(tid, threads)
	local mine = {}
	for i = tid, #all, threads do mine[#mine + 1] = all[i] end
	if #mine == 0 then mine = all end
	local k = 0
	return function()
		k = k % #mine + 1
		return mine[k]
	end
end
