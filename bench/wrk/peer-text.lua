-- peer-text.lua: Chinese text for the filings of bench/peer.sh, loaded by the two
-- peer-*-create.lua scripts. The same characters as bench/peer-load.pl and bench/appeals.sh.
local chars = {}
for c in ("企业用电报装周期长技改贷款审批慢招工难物流成本高环评项目政策咨询补助资金拨付专利维权道路维修"
	.. "出口退税许可证能耗指标融资担保设备款拖欠展会厂房租赁人才引进数字化车间诊断天然气供应冬季生产热处理线")
	:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
	chars[#chars + 1] = c
end

-- words(k): k characters picked at random
return function(k)
	local t = {}
	for i = 1, k do t[i] = chars[math.random(#chars)] end
	return table.concat(t)
end
