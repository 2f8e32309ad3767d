"""The console's languages: zh-CN first, English on request (cookie ``yz_lang``).

Templates say ``{{ _("English text") }}`` (``jinja2.ext.i18n``); English is the message id
and ``ZH`` its zh-CN translation. A message id missing from ``ZH`` shows in English, and
``tests/console/test_console_pages.py`` checks every id used by a template is here.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from sync_server.console import words

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "yz_lang"

ZH: MappingProxyType[str, str] = MappingProxyType({
    "yizhan county console": "一站式县级工作台",
    "Log in": "登录",
    "Log out": "退出登录",
    "Username": "用户名",
    "Password": "密码",
    "Wrong username or password.": "用户名或密码错误。",
    "Too many failed logins. Try again in %(s)s seconds.": "登录失败次数过多，请 %(s)s 秒后再试。",
    "The login form expired; please try again.": "登录页面已过期，请重试。",
    "Home": "工作台",
    "Users": "用户管理",
    "Audit log": "审计日志",
    "Signed in as": "当前用户",
    "Station": "站点",
    "County": "全县",
    "My roles": "我的角色",
    "My workqueues": "我的工作队列",
    "No workqueues for your roles yet.": "您的角色暂无工作队列。",
    "Queue": "队列",
    "Count": "数量",
    "Forbidden": "无权访问",
    "You may not see this page.": "您无权查看此页面。",
    "The request was refused (security check failed). Reload the page and try again.":
        "请求被拒绝（安全校验失败）。请刷新页面后重试。",
    "Roles": "角色",
    "Status": "状态",
    "Active": "正常",
    "Disabled": "已停用",
    "Disable": "停用",
    "Add user": "添加用户",
    "Add": "添加",
    "Roles (comma-separated)": "角色（逗号分隔）",
    "Station (empty: whole county)": "站点（留空表示全县）",
    "When": "时间",
    "Who": "用户",
    "Action": "操作",
    "Case": "案件",
    "Detail": "详情",
    "From": "来源地址",
    "Filter": "筛选",
    "Since (YYYY-MM-DD)": "起始日期（YYYY-MM-DD）",
    "No entries.": "没有记录。",
    "Print": "打印",
    "Reissue PIN": "补发查询密码",
    "Reissue a receipt PIN": "补发回执查询密码",
    "Receipt code": "回执编号",
    "Issue a new PIN": "发放新密码",
    "Check the worker's ID first. The old PIN stops working and a locked receipt is unlocked.":
        "请先核对劳动者身份证件。旧密码将作废，已锁定的回执将解锁。",
    "Print this slip for the worker now: the PIN is not shown again.":
        "请立即为劳动者打印本凭条：新密码不会再次显示。",
    "Session expired; please log in again.": "会话已过期，请重新登录。",
    "User added.": "用户已添加。",
    "User disabled; their sessions ended.": "用户已停用，其会话已结束。",
} | words.ZH)


def gettext_for(lang: str) -> Callable[[str], str]:
    """The ``gettext`` of ``lang``."""
    if lang == "en":
        return lambda message: words.EN.get(message, message)
    return lambda message: ZH.get(message, message)


def ngettext_for(lang: str) -> Callable[[str, str, int], str]:
    """The ``ngettext`` of ``lang`` (Chinese has one form)."""
    one = gettext_for(lang)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return one(singular if n == 1 else plural)
    return ngettext


def pick(cookie: str | None) -> str:
    """The language a request asked for, or the default."""
    return cookie if cookie in LANGS else DEFAULT
