"""The caseworkers' pages' words: zh-CN (``ZH``) and English (``EN``) for the message ids
of the case pages, among them coded ids made from data (``status:…``, ``route:…``,
``matter:…``, ``action:…``, ``event:…``, ``clock:…``, ``deadline:…``), which have no
readable English of their own. ``console.i18n`` merges both into its catalog."""

from __future__ import annotations

_CODED: dict[str, tuple[str, str]] = {
    # statuses (domain.statuses)
    "status:provisional": ("暂存", "provisional"), "status:received": ("已接收", "received"),
    "status:in_mediation": ("调解中", "in mediation"),
    "status:in_inspection": ("劳动监察处理中", "with labour inspection"),
    "status:in_arbitration": ("仲裁中", "in arbitration"),
    "status:with_legal_aid": ("法律援助中", "with legal aid"),
    "status:in_court": ("诉讼中", "in court"), "status:settled": ("已调解成功", "settled"),
    "status:closed": ("已办结", "closed"), "status:withdrawn": ("已撤回", "withdrawn"),
    # routes
    "route:mediation": ("调解", "mediation"), "route:inspection": ("劳动监察", "inspection"),
    "route:arbitration": ("仲裁", "arbitration"), "route:legal_aid": ("法律援助", "legal aid"),
    "route:court": ("法院", "court"), "route:unsure": ("不确定", "unsure"),
    "track:simple": ("简案", "simple"), "track:complex": ("繁案", "complex"),
    # matter types (shared.records.MATTER_TYPES), kinds
    "matter:wage_arrears": ("拖欠工资", "wage arrears"),
    "matter:labor_contract": ("劳动合同", "labour contract"),
    "matter:social_insurance": ("社会保险", "social insurance"),
    "matter:work_injury": ("工伤", "work injury"),
    "matter:dismissal": ("解除劳动关系", "dismissal"),
    "matter:working_hours": ("工作时间", "working hours"), "matter:other": ("其他", "other"),
    "kind:complaint": ("投诉", "complaint"), "kind:jobseeker": ("求职登记", "job seeker"),
    # actions (console.cases.PARAMS)
    "action:accept": ("受理", "accept"), "action:needs_materials": ("需补正", "needs materials"),
    "action:materials_received": ("材料已补正", "materials received"),
    "action:route": ("分流", "route"), "action:assign": ("分派", "assign"),
    "action:session": ("记录调解", "record a mediation session"),
    "action:agreement": ("达成协议", "agreement"), "action:payment": ("记录履行支付", "payment"),
    "action:award": ("仲裁裁决金额", "arbitration award"), "action:close": ("结案", "close"),
    "action:withdraw": ("撤回", "withdraw"), "action:reopen": ("重新开启", "reopen"),
    "action:note": ("添加备注", "add a note"), "action:resolve": ("保留此值", "keep a value"),
    "action:extend": ("申请延期", "request an extension"),
    "action:decide_extension": ("审批延期", "decide an extension"),
    # events (domain.events.KINDS_OF_EVENT)
    "event:accepted": ("受理", "accepted"), "event:agreement_recorded": ("达成协议", "agreement"),
    "event:assigned": ("分派", "assigned"), "event:closed": ("结案", "closed"),
    "event:conflict_resolved": ("冲突已处理", "conflict resolved"),
    "event:contact_updated": ("联系方式更新", "contact updated"),
    "event:duplicate_confirmed": ("确认重复", "duplicate confirmed"),
    "event:duplicate_split": ("拆分重复", "duplicate split"),
    "event:employer_completed": ("补全用人单位", "employer completed"),
    "event:extension_decided": ("延期审批", "extension decided"),
    "event:extension_requested": ("申请延期", "extension requested"),
    "event:filed": ("自助机提交", "filed at the kiosk"),
    "event:marked_duplicate": ("疑似重复", "marked duplicate"),
    "event:materials_received": ("材料已补正", "materials received"),
    "event:materials_requested": ("需补正", "materials requested"),
    "event:mediation_session": ("调解记录", "mediation session"),
    "event:note_added": ("备注", "note"), "event:outcome_recorded": ("结果", "outcome"),
    "event:payment_recorded": ("履行支付", "payment"), "event:reopened": ("重新开启", "reopened"),
    "event:routed": ("分流", "routed"), "event:status_changed": ("状态变更", "status changed"),
    # clocks and deadline filters
    "clock:on_track": ("正常", "on track"), "clock:at_risk": ("临近到期", "at risk"),
    "clock:overdue": ("已超期", "overdue"), "clock:paused": ("已暂停", "paused"),
    "clock:met": ("已按期完成", "met"), "clock:missed": ("逾期完成", "missed"),
    "deadline:overdue": ("已超期", "overdue"), "deadline:today": ("今日到期", "due today"),
    "deadline:soon": ("3日内到期", "due within 3 days"),
    "deadline:at_risk": ("临近到期", "at risk"), "deadline:on_track": ("正常", "on track"),
    "deadline:none": ("无计时", "no running clock"),
    "same:claimant": ("同一当事人", "same claimant"), "same:employer": ("同一用人单位",
                                                                     "same employer"),
    "same:both": ("同一当事人和用人单位", "same claimant and employer"),
    "audience:employer": ("供用人单位", "for the employer"),
    "audience:inspector": ("供劳动监察", "for an inspector"),
}

_PLAIN: dict[str, str] = {
    "Cases": "案件",
    "Receipt code, employer name or USCC": "回执码、用人单位名称或统一社会信用代码",
    "Claimant name": "当事人姓名", "Matter type": "事项类型", "Any": "全部", "Route": "分流去向",
    "Filed from": "提交日期自", "Filed to": "提交日期至", "Deadline": "期限", "Search": "查询",
    "Clear": "清除", "%(n)s cases": "共 %(n)s 件", "Receipt code": "回执码", "Filed": "提交时间",
    "Employer": "用人单位", "Amount claimed": "请求金额", "Next deadline": "下一期限",
    "waiting for materials": "待补正", "Previous": "上一页", "Next": "下一页",
    "Page %(p)s of %(n)s": "第 %(p)s 页，共 %(n)s 页", "No cases.": "没有案件。",
    "Quarantine": "隔离区", "Done:": "已完成：", "Refused:": "未执行：",
    "Print for the employer": "打印（供用人单位）", "Print for an inspector": "打印（供劳动监察）",
    "Summary": "概要", "not routed": "未分流", "fast track": "速裁", "Assigned to": "承办人",
    "Flags": "标记", "Identity": "身份信息",
    "Do not reveal the claimant to the employer": "不向用人单位透露当事人身份",
    "Deadlines": "法定期限", "Clock": "期限", "Due": "到期日", "State": "状态",
    "Legal basis": "法律依据", "No statutory clock is running.": "没有正在计算的法定期限。",
    "Claims": "请求事项", "Period": "期间", "Co-workers affected": "涉及同事人数",
    "Preferred handling": "希望处理方式", "Description": "情况说明", "Kind": "类型",
    "Amount agreed": "协议金额", "Paid": "已支付", "Claimant identity": "当事人身份信息",
    "Omitted: the claimant asked not to be named to the employer.":
        "已略去：当事人要求不向用人单位透露身份。",
    "Sealed. Opening it is recorded in the audit log with your reason.":
        "已封存。查看将连同理由记入审计日志。",
    "Reason": "理由", "Open the identity": "查看身份信息", "Name": "姓名", "ID number": "身份证号",
    "Phone": "电话", "Conflicting values": "冲突的值", "Keep this one": "保留此值",
    "Linked cases": "关联案件", "likely duplicate": "疑似重复", "Collective group": "集体争议组",
    "Notes": "备注", "Actions": "办理", "Missing materials": "缺少的材料", "To": "去向",
    "Track": "繁简", "Date": "日期", "Amount (¥)": "金额（元）", "Grade": "难度等级",
    "Note": "备注", "Days": "天数", "Approve": "批准", "Refuse": "不批准", "History": "办理记录",
    "Event": "事件", "Device time": "设备时间", "Server time": "服务器时间", "Author": "操作人",
}

ZH: dict[str, str] = {k: v[0] for k, v in _CODED.items()} | _PLAIN
EN: dict[str, str] = {k: v[1] for k, v in _CODED.items()}


def yuan(fen: object) -> str:
    """Fen as ``¥1,234.50`` ('' for none)."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"
