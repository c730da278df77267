-- peer-tiejian-create.lua: wrk script of bench/peer.sh; POST /api/v1/appeals as a logged-in
-- user, each appeal with its own enterprise, title and text (the duplicate guard refuses a
-- near-identical appeal of the same enterprise).
-- Environment: PEER_TJ_COOKIE ("tj_session=..."), PEER_TJ_CSRF (the session's CSRF token),
-- PEER_TJ_ENTERPRISES (comma-separated enterprise ids the user may file for),
-- PEER_TJ_CATEGORY (an appeal category id).
local words = dofile("bench/wrk/peer-text.lua")
local cookie = os.getenv("PEER_TJ_COOKIE") or ""
local csrf = os.getenv("PEER_TJ_CSRF") or ""
local category = os.getenv("PEER_TJ_CATEGORY") or "1"
local ents = {}
for id in (os.getenv("PEER_TJ_ENTERPRISES") or ""):gmatch("%d+") do ents[#ents + 1] = id end
local threads = 0
local n = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	-- a new sequence each run: the warm-up's appeals must not make the next run's duplicates
	math.randomseed(os.time() * 16 + (tid or 0))
end

function request()
	n = n + 1
	local body = '{"enterprise_id":' .. ents[math.random(#ents)] .. ',"channel":"visit",'
		.. '"category_id":' .. category .. ',"title":"' .. words(16) .. (tid or 0) .. "-" .. n .. '",'
		.. '"content":"' .. words(80) .. '"}'
	return wrk.format("POST", "/api/v1/appeals", { ["Content-Type"] = "application/json",
		["Cookie"] = cookie, ["X-CSRF-Token"] = csrf }, body)
end
