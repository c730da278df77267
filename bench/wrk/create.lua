-- create.lua: POST /api/v1/appeals with the session cookie and its CSRF token, each request a
-- different enterprise (of BENCH_ENTS, comma-separated ids), title and text: the duplicate
-- guard refuses a filing too like one its enterprise made in the last 30 days.
-- Environment: BENCH_COOKIE (name=value), BENCH_CSRF, BENCH_ENTS, BENCH_CAT (a subcategory id).
local cookie, csrf, cat = os.getenv("BENCH_COOKIE"), os.getenv("BENCH_CSRF"), os.getenv("BENCH_CAT")
local ents = {}
for id in (os.getenv("BENCH_ENTS") or ""):gmatch("%d+") do ents[#ents + 1] = id end
local chars = {}
local pool = "企业用电报装周期长技改贷款审批慢招工难物流成本高环评项目政策咨询补助资金拨付专利维权道路"
	.. "维修出口退税许可证能耗指标融资担保设备款拖欠展会厂房租赁人才引进数字化车间诊断天然气供应冬季"
	.. "生产热处理线订单交付材料退回补正协调对接园区"
for c in pool:gmatch("[%z\1-\127\194-\244][\128-\191]*") do chars[#chars + 1] = c end

local counter = 0
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end
function init(args)
	math.randomseed(os.time() * 1000 + (tid or 0))
end
local function words(n)
	local t = {}
	for i = 1, n do t[i] = chars[math.random(#chars)] end
	return table.concat(t)
end
local headers = { ["Content-Type"] = "application/json", ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf }
function request()
	counter = counter + 1
	local body = '{"enterprise_id":' .. ents[math.random(#ents)] .. ',"channel":"visit","category_id":'
		.. cat .. ',"title":"' .. words(14) .. (tid or 0) .. "-" .. counter .. '","content":"'
		.. words(80) .. '"}'
	return wrk.format("POST", "/api/v1/appeals", headers, body)
end
