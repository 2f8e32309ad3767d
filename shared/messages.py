"""Bilingual (zh-CN first, English) labels for intake fields and messages for each error code.

Workers read these next to the field at fault, so they are short and say what to do.
"""

from __future__ import annotations

from shared._errors import FieldError

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "record": ("记录", "Record"),
    "kind": ("登记类型", "Kind of record"),
    "matter_type": ("事项类型", "Type of matter"),
    "claimant": ("申请人", "Claimant"),
    "claimant.name": ("姓名", "Name"),
    "claimant.id_number": ("身份证号码", "ID number"),
    "claimant.phone": ("联系电话", "Phone"),
    "claimant.conceal_identity": ("对单位保密身份", "Keep my identity from the employer"),
    "employer": ("用人单位", "Employer"),
    "employer.name": ("用人单位名称", "Employer name"),
    "employer.uscc": ("统一社会信用代码", "Unified social credit code"),
    "employer.address": ("用人单位地址", "Employer address"),
    "amount_claimed_fen": ("诉求金额", "Amount claimed"),
    "period": ("起止时间", "Period"),
    "period.start": ("开始日期", "Start date"),
    "period.end": ("结束日期", "End date"),
    "coworkers_affected": ("涉及工友人数", "Co-workers affected"),
    "description": ("情况说明", "Description"),
    "preferred_handling": ("希望的处理方式", "Preferred handling"),
    "consent": ("同意声明", "Consent"),
    "name": ("姓名", "Name"),
    "id_number": ("身份证号码", "ID number"),
    "phone": ("联系电话", "Phone"),
    "skills": ("技能", "Skills"),
    "wanted_jobs": ("意向工种", "Jobs wanted"),
    "availability": ("可工作时间", "Availability"),
    "area": ("意向区域", "Area"),
    "employment": ("用工形式", "Employment type"),
    # job postings (issue 16)
    "title": ("岗位名称", "Job title"),
    "job_type": ("工种", "Job type"),
    "pay_fen": ("报酬（分）", "Pay (fen)"),
    "pay_period": ("计酬周期", "Pay period"),
    "start": ("开始日期", "Start date"),
    "end": ("结束日期", "End date"),
    "headcount": ("招聘人数", "Headcount"),
    "contact": ("站点联系人", "Contact at the station"),
    "posting_id": ("岗位编号", "Posting id"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必须填写", "required"),
    "unknown_field": ("不是本表的字段", "not a field of this form"),
    "not_text": ("应为文字", "must be text"),
    "not_integer": ("应为整数", "must be a whole number"),
    "not_boolean": ("应为“是”或“否”", "must be yes or no"),
    "not_list": ("应为列表", "must be a list"),
    "not_object": ("格式不正确", "wrong shape"),
    "not_date": ("日期格式应为 年-月-日，如 2026-03-01", "must be a date like 2026-03-01"),
    "choice": ("请从给定选项中选择", "must be one of the listed choices"),
    "too_short": ("内容太短", "too short"),
    "too_long": ("内容太长（最多 {max} 字）", "too long (at most {max} characters)"),
    "too_long_folded": ("含有会展开成多个字的合写字符（如“㍿”），展开后超过 {max} 字，请逐字输入",
                        "contains compound characters (such as ㍿) that spell out to more "
                        "than {max} characters; type the name character by character"),
    "not_time": ("时间格式不正确", "must be a time like 2026-11-21T10:00:00.000Z"),
    "too_many": ("条目太多（最多 {max} 项）", "too many entries (at most {max})"),
    "too_small": ("不能小于 {min}", "must not be less than {min}"),
    "too_large": ("不能大于 {max}", "must not be more than {max}"),
    "control_chars": ("含有无法识别的字符", "contains characters that cannot be used"),
    "name_chars": ("只能包含文字、间隔号“·”或空格",
                   "may only contain letters, the middle dot '·' or spaces"),
    "id_first_generation": ("15位旧身份证号码已停用，请填写18位号码",
                            "15-digit first-generation numbers are no longer valid; "
                            "enter the 18-digit number"),
    "id_length": ("应为18位", "must be 18 characters"),
    "id_format": ("应为17位数字加1位数字或X", "must be 17 digits followed by a digit or X"),
    "id_checksum": ("校验位不正确，请逐位核对", "check digit is wrong; please check each digit"),
    "id_birth_date": ("其中的出生日期不存在", "contains a birth date that does not exist"),
    "id_future_birth": ("其中的出生日期晚于今天", "contains a birth date after today"),
    "uscc_length": ("应为18位", "must be 18 characters"),
    "uscc_format": ("含有不允许的字符", "contains characters a credit code cannot have"),
    "uscc_checksum": ("校验位不正确，请核对或留空",
                      "check character is wrong; check it or leave it empty"),
    "phone_format": ("应为11位手机号、带区号的固定电话，或港澳台及境外号码（加国家或地区代码）",
                     "must be an 11-digit mobile, a landline with area code, or a number "
                     "outside the mainland with its country code"),
    "uscc_required": ("发布岗位须填写统一社会信用代码", "a job posting needs the employer's "
                      "unified social credit code"),
    "end_before_start": ("结束日期不能早于开始日期", "end date must not be before the start date"),
    "period_order": ("开始日期不能晚于结束日期", "start date must not be after the end date"),
    "future_date": ("不能晚于今天", "must not be after today"),
    "consent_required": ("请阅读并勾选同意后才能提交", "please read and agree before submitting"),
}


def field_error(field: str, code: str, **params: object) -> FieldError:
    """Build the FieldError for ``field`` and ``code``, with the field's label in front."""
    zh_msg, en_msg = MESSAGES.get(code, ("填写有误", "invalid"))
    zh_msg, en_msg = zh_msg.format(**params), en_msg.format(**params)
    label_key = ".".join(part for part in field.split(".") if not part.isdigit())
    zh_label, en_label = FIELD_LABELS.get(label_key, (field, field))
    return FieldError(field=field, code=code, zh=f"{zh_label}：{zh_msg}",
                      en=f"{en_label}: {en_msg}")
