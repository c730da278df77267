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
};

int perm_from_code(const char *code)
{
	for (int i = 0; i < PERM__COUNT; i++)
		if (perm_table[i].code && strcmp(perm_table[i].code, code) == 0)
			return i;
	return -1;
}
