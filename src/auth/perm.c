/* perm.c: the permission table (codes stored in the database, names shown in the console). */
#include "auth/perm.h"

const struct perm_def perm_table[PERM__COUNT] = {
	[PERM_ORG_READ] = {"org.read", "查看组织机构", "系统管理"},
	[PERM_ORG_WRITE] = {"org.write", "管理组织机构", "系统管理"},
	[PERM_USER_READ] = {"user.read", "查看用户", "系统管理"},
	[PERM_USER_WRITE] = {"user.write", "管理用户账号", "系统管理"},
	[PERM_CALENDAR_WRITE] = {"calendar.write", "维护节假日安排", "系统管理"},
	[PERM_ROLE_READ] = {"role.read", "查看角色与权限", "安全管理"},
	[PERM_ROLE_WRITE] = {"role.write", "管理角色、权限与用户授权", "安全管理"},
	[PERM_AUDIT_READ] = {"audit.read", "查看和导出审计日志", "审计管理"},
	[PERM_ENTERPRISE_READ] = {"enterprise.read", "查看企业", "企业服务"},
	[PERM_ENTERPRISE_WRITE] = {"enterprise.write", "编辑企业信息", "企业服务"},
	[PERM_ENTERPRISE_CREATE] = {"enterprise.create", "新增企业", "企业服务"},
	[PERM_ENTERPRISE_IMPORT] = {"enterprise.import", "批量导入企业", "企业服务"},
	[PERM_ENTERPRISE_EXPORT] = {"enterprise.export", "导出企业名录", "企业服务"},
	[PERM_ENTERPRISE_ADMIN] = {"enterprise.admin", "维护企业标签、信用代码例外", "企业服务"},
	[PERM_APPEAL_READ] = {"appeal.read", "查看诉求", "诉求办理"},
	[PERM_APPEAL_CREATE] = {"appeal.create", "提交诉求、补充材料、撤回、评价", "诉求办理"},
	[PERM_APPEAL_DISPATCH] = {"appeal.dispatch", "受理、交办诉求", "诉求办理"},
	[PERM_APPEAL_HANDLE] = {"appeal.handle", "承办诉求（主办、协办）", "诉求办理"},
	[PERM_APPEAL_SUPERVISE] = {"appeal.supervise", "督办、审核答复、重办", "诉求办理"},
	[PERM_APPEAL_APPROVE] = {"appeal.approve", "审批延期、接收逾期升级", "诉求办理"},
	[PERM_APPEAL_STATS] = {"appeal.stats", "查看诉求统计", "诉求办理"},
	[PERM_APPEAL_ADMIN] = {"appeal.admin", "维护诉求分类、分办规则和办理时限", "诉求办理"},
	[PERM_CASE_READ] = {"case.read", "查看典型案例", "典型案例"},
	[PERM_CASE_WRITE] = {"case.write", "编辑、发布典型案例", "典型案例"},
	[PERM_NOTIFY_ADMIN] = {"notify.admin", "配置消息推送网关", "系统管理"},
	[PERM_LIAISON_READ] = {"liaison.read", "查看包联关系", "包联走访"},
	[PERM_LIAISON_ASSIGN] = {"liaison.assign", "指派包联（含导入、按规则分配）", "包联走访"},
	[PERM_LIAISON_ADMIN] = {"liaison.admin", "维护走访规则（每月上限、未走访天数）", "包联走访"},
	[PERM_LIAISON_STATS] = {"liaison.stats", "查看和导出走访覆盖统计", "包联走访"},
	[PERM_VISIT_READ] = {"visit.read", "查看走访记录", "包联走访"},
	[PERM_VISIT_WRITE] = {"visit.write", "登记走访", "包联走访"},
	[PERM_VISIT_FEEDBACK] = {"visit.feedback", "评价走访、申报免打扰时段", "包联走访"},
};

int perm_from_code(const char *code)
{
	for (int i = 0; i < PERM__COUNT; i++)
		if (perm_table[i].code && strcmp(perm_table[i].code, code) == 0)
			return i;
	return -1;
}
