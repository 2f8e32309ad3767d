"""The text of every worker- and staff-visible string of the kiosk screen (zh-CN, English).

One table, :data:`STRINGS`, keyed by a dotted name; :mod:`kiosk.ui.i18n` looks it up. Pure
data: no Kivy, so it can be checked (every language, same placeholders) without a window.
"""

from __future__ import annotations

__all__ = ["STRINGS"]

# key: (zh-CN, English). zh-CN is the reference text; English is for migrant workers and
# visitors who read it better. Placeholders use str.format names.
STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("一站式劳动维权服务", "One-stop labour rights service"),
    "common.lang_toggle": ("English", "中文"),  # names the language the button switches TO
    "common.home": ("返回首页", "Home"),
    "common.back": ("上一步", "Back"),
    "common.busy": ("请稍候…", "Please wait…"),
    "common.next": ("下一步", "Next"),
    "common.yes": ("是", "Yes"),
    "common.no": ("否", "No"),
    "form.optional": ("（选填）", "(optional)"),
    "common.error": (
        "出了点问题，请重试或向工作人员求助。",
        "Something went wrong. Please try again or ask the staff.",
    ),
    "home.welcome": ("您好！请选择要办理的事项", "Hello! What would you like to do?"),
    "home.out_of_service": ("本机已停用，不能再登记。请到站点服务台办理；可以继续查询进度。",
                            "This kiosk is out of service and takes no new records. Please go "
                            "to the station desk; you can still check a receipt here."),
    "home.complaint": ("我要维权/投诉", "File a complaint"),
    "home.complaint_hint": (
        "欠薪、劳动合同、社保、工伤、辞退、加班",
        "Unpaid wages, contracts, insurance, injury, dismissal, overtime",
    ),
    "home.jobseeker": ("求职登记", "Register as a job seeker"),
    "home.jobseeker_hint": ("登记技能和想找的工作", "Record your skills and the work you want"),
    "home.jobs": ("找工作", "Find work"),
    "home.jobs_hint": ("看看本地招工信息", "See the jobs on offer here"),
    "jobs.title": ("找工作", "Find work"),
    "jobs.all": ("全部", "All"),
    "jobs.none": ("暂无招工信息，请稍后再来或向工作人员咨询。",
                  "No jobs on offer yet. Come back later or ask the staff."),
    "home.lookup": ("查询进度", "Check my case"),
    "home.lookup_hint": ("凭回执编号和密码查询", "With the receipt code and PIN"),
    "home.ticket": ("取号", "Take a queue number"),
    "home.ticket_hint": ("排队等候窗口服务", "Wait for a service window"),
    "home.offline_note": (
        "没有网络也可以办理，材料会安全保存在本机。",
        "Works without internet; your information is stored safely on this kiosk.",
    ),
    "idle.countdown": (
        "长时间无操作，{seconds} 秒后将清除本页信息并返回首页。触摸屏幕可继续。",
        "No activity: in {seconds} s this page is cleared and you go back home. "
        "Touch the screen to continue.",
    ),
    "keyboard.space": ("空格", "Space"),
    "keyboard.backspace": ("退格", "Delete"),
    "keyboard.clear": ("清空", "Clear"),
    "keyboard.letters": ("ABC", "ABC"),
    "keyboard.digits": ("123", "123"),
    "keyboard.pinyin": ("拼音", "Pinyin"),
    "keyboard.handwriting": ("手写", "Write"),
    "keyboard.undo_stroke": ("撤销一笔", "Undo stroke"),
    "keyboard.clear_pad": ("重写", "Rewrite"),
    "keyboard.upper": ("大写", "ABC"),
    "keyboard.lower": ("小写", "abc"),
    "lookup.title": ("查询办理进度", "Check the progress of your case"),
    "lookup.code": ("回执编号", "Receipt code"),
    "lookup.pin": ("查询密码", "PIN"),
    "lookup.submit": ("查询", "Check"),
    "lookup.hint": (
        "请输入回执上的编号和查询密码",
        "Type the code and the PIN printed on your receipt",
    ),
    "lookup.missing": ("请输入编号和密码", "Please type the code and the PIN"),
    "lookup.not_found": (
        "编号或密码不正确，请核对回执后重试。",
        "Code or PIN not recognised. Please check your receipt and try again.",
    ),
    "lookup.bad_code": (
        "回执编号有误，请核对回执后重新输入。",
        "That receipt code is not valid. Please check your receipt and type it again.",
    ),
    "lookup.other_station_offline": (
        "这张回执不是本站点开具的。本机现在无法连接县级中心，暂时查不了其他站点的回执。"
        "请稍后再试，或用手机扫描回执上的二维码查询。",
        "This receipt was issued at another station. This kiosk cannot reach the county "
        "centre right now, so it cannot check other stations' receipts. Try again later, or "
        "scan the receipt's QR code with a phone.",
    ),
    "lookup.receipt_locked": (
        "这张回执的查询密码错误次数太多，已被锁定。请带身份证件到站点工作人员处重新发放查询密码。",
        "Too many wrong PINs for this receipt: it is locked. Take your ID to station staff "
        "to get a new PIN.",
    ),
    "lookup.rate_limited": ("查询次数太多，请稍等几分钟再试。",
                            "Too many tries. Please wait a few minutes and try again."),
    "lookup.scan": ("扫码", "Scan QR"),
    "lookup.scan_hint": (
        "请把回执上的二维码对准摄像头。",
        "Hold the QR code on your receipt up to the camera.",
    ),
    "lookup.scan_cancel": ("取消扫码", "Stop scanning"),
    "lookup.scanned": (
        "已读取回执编号，请输入查询密码。",
        "Receipt code read. Now type your PIN.",
    ),
    "lookup.status": ("当前状态：{status}", "Status: {status}"),
    "lookup.next_step": ("下一步：{next_step}", "Next step: {next_step}"),
    "lookup.as_of": ("信息更新于 {as_of}", "As of {as_of}"),
    "status.provisional": ("已在本机登记，等待同步", "Filed at this kiosk, waiting to sync"),
    "status.received": ("县级中心已受理", "Received by the county centre"),
    "status.needs_review": ("县级中心需要核实，请到站点咨询",
                            "The county needs to check this record, please ask at the station"),
    "status.in_mediation": ("调解中", "In mediation"),
    "status.in_inspection": ("劳动监察处理中", "With labour inspection"),
    "status.in_arbitration": ("仲裁中", "In arbitration"),
    "status.with_legal_aid": ("法律援助中", "With legal aid"),
    "status.in_court": ("诉讼中", "In court"),
    "status.settled": ("已解决", "Settled"),
    "status.closed": ("已办结", "Closed"),
    "status.withdrawn": ("已撤回", "Withdrawn"),
    "receipt.title": ("您的回执", "Your receipt"),
    "receipt.provisional": (
        "临时回执：材料已保存在本机，与县级中心同步后正式生效。",
        "Provisional receipt: saved on this kiosk; it becomes final once synced "
        "with the county centre.",
    ),
    "receipt.code": ("回执编号", "Receipt code"),
    "receipt.pin": ("查询密码", "PIN"),
    "receipt.filed_at": ("提交时间：{filed_at}", "Filed: {filed_at}"),
    "receipt.keep": (
        "请拍照或打印保存本回执，凭编号和密码查询进度。",
        "Photograph or print this receipt; use the code and PIN to check progress.",
    ),
    "receipt.checklist": ("请携带以下材料（一次性告知）", "Please bring these documents"),
    "lookup.matches": ("为您推荐的岗位：{titles}（可在“找工作”查看）",
                       "Jobs for you: {titles} (see Find work)"),
    "receipt.matches": ("为您推荐的岗位（可在“找工作”查看详情）",
                        "Jobs for you (details under Find work)"),
    "receipt.checklist_empty": ("无需另外携带材料", "No documents needed"),
    "receipt.done": ("完成", "Done"),
    "receipt.print": ("打印", "Print"),
    "receipt.printing": ("正在打印…", "Printing…"),
    "receipt.printed": ("已打印，请取走回执。", "Printed: please take your receipt."),
    "receipt.print_failed": (
        "打印失败。请拍照或抄下编号和密码，回执仍显示在屏幕上。",
        "Printing failed. Photograph or copy the code and PIN; the receipt stays on screen.",
    ),
    "receipt.no_printer": (
        "本机没有连接打印机。请拍照或抄下编号和密码。",
        "No printer here. Photograph or copy the code and PIN.",
    ),
    "receipt.take_ticket": ("取号排队", "Take a queue number"),
    "receipt.ticket": ("您的号码 {number}，前面 {ahead} 人", "Your number {number}, {ahead} ahead"),
    "ticket.title": ("取号", "Queue number"),
    "ticket.take": ("取一个号", "Take a number"),
    "ticket.yours": ("您的号码", "Your number"),
    "ticket.ahead": ("前面还有 {ahead} 人", "{ahead} people ahead of you"),
    "wizard.progress": ("第 {step} 步，共 {total} 步", "Step {step} of {total}"),
    "wizard.failed": (
        "暂时无法提交，请向工作人员求助。您填写的内容仍在本页。",
        "It could not be filed just now. Please ask the staff; what you typed is still here.",
    ),
    "matter.wage_arrears": ("欠薪", "Unpaid wages"),
    "matter.labor_contract": ("劳动合同", "Labour contract"),
    "matter.social_insurance": ("社保", "Social insurance"),
    "matter.work_injury": ("工伤", "Work injury"),
    "matter.dismissal": ("辞退/经济补偿", "Dismissal / severance"),
    "matter.working_hours": ("加班/休息休假", "Overtime / rest days"),
    "matter.other": ("其他", "Other"),
    "handling.mediation": ("调解", "Mediation"),
    "handling.inspection": ("劳动监察", "Labour inspection"),
    "handling.arbitration": ("仲裁", "Arbitration"),
    "handling.legal_aid": ("法律援助", "Legal aid"),
    "handling.unsure": ("不确定", "Not sure"),
    "field.name": ("姓名", "Name"),
    "field.id_number": ("身份证号码", "Resident ID number"),
    "field.phone": ("联系电话", "Phone"),
    "field.conceal_identity": ("身份保密", "Identity"),
    "field.employer_name": ("用人单位名称", "Employer name"),
    "field.uscc": ("统一社会信用代码", "Unified social credit code"),
    "field.address": ("用人单位地址", "Employer address"),
    "field.amount_yuan": ("诉求金额（元）", "Amount claimed (yuan)"),
    "field.period_start": ("开始日期（年-月-日）", "Start date (YYYY-MM-DD)"),
    "field.period_end": ("结束日期（年-月-日）", "End date (YYYY-MM-DD)"),
    "field.coworkers": ("涉及工友人数", "Co-workers affected"),
    "field.description": ("情况说明", "What happened"),
    "field.handling": ("希望的处理方式", "How you would like it handled"),
    "field.consent": ("同意声明", "Consent"),
    "complaint.matter_prompt": ("请选择您要反映的问题", "What is your complaint about?"),
    "complaint.checklist_title": ("一次性告知：{matter}", "What to bring: {matter}"),
    "complaint.checklist_note": (
        "办理时请带齐以下材料；没有的也可以先登记。这份清单会印在回执上。",
        "Bring these documents; you can register now even without them. "
        "This list is printed on your receipt.",
    ),
    "complaint.claimant_title": ("您的信息", "About you"),
    "complaint.conceal": ("不向用人单位透露我的身份", "Keep my identity from the employer"),
    "complaint.employer_title": ("用人单位", "The employer"),
    "complaint.claim_title": ("诉求", "Your claim"),
    "complaint.details_title": ("情况说明", "What happened"),
    "complaint.review_title": ("请核对以下信息", "Please check what you entered"),
    "complaint.consent_title": ("同意并提交", "Agree and file"),
    "complaint.consent_text": (
        "您的信息将加密保存在本机，只有县级劳动维权服务中心和本站工作人员可以查看，"
        "仅用于处理您的投诉。提交后您会得到回执编号和查询密码。",
        "Your information is stored encrypted on this kiosk. Only the county labour-rights "
        "centre and this station's staff can read it, and only to handle your complaint. "
        "You will get a receipt code and a PIN.",
    ),
    "complaint.consent_tick": ("我已阅读并同意", "I have read this and agree"),
    "complaint.submit": ("提交", "File it"),
    "staff.title": ("工作人员", "Staff"),
    "staff.enter_pin": ("请输入工作人员密码", "Staff PIN"),
    "staff.unlock": ("进入", "Enter"),
    "staff.wrong_pin": ("密码不正确", "Wrong PIN"),
    "staff.page_queue": ("排队叫号", "Queue"),
    "staff.page_outbox": ("发件箱", "Outbox"),
    "staff.page_sync": ("立即同步", "Sync"),
    "staff.page_export": ("导出到U盘", "USB export"),
    "staff.page_enroll": ("设备登记", "Enrollment"),
    "staff.page_device": ("设备信息", "Device"),
    "staff.exit": ("退出", "Exit"),
    "staff.call_next": ("叫下一位", "Call next"),
    "staff.served": ("已办理", "Served"),
    "staff.no_show": ("未到", "No-show"),
    "staff.called": ("已叫号 {number}", "Called {number}"),
    "staff.called_now": ("正在办理 {number}", "Now serving {number}"),
    "staff.nobody_waiting": ("没有人在等候", "Nobody is waiting"),
    "staff.queue_empty": ("今天还没有人取号", "No queue numbers today yet"),
    "staff.passphrase": ("站点口令（查看详情）", "Station passphrase (for details)"),
    "staff.details": ("查看详情", "Show details"),
    "staff.outbox_counts": (
        "待发送 {pending}　已发送 {sent}　已确认 {acknowledged}　被隔离 {quarantined}",
        "Pending {pending} · sent {sent} · acknowledged {acknowledged} · "
        "quarantined {quarantined}",
    ),
    "staff.last_sync": ("上次同步：{at}", "Last sync: {at}"),
    "staff.last_error": ("上次同步的问题：{error}", "Last sync problem: {error}"),
    "staff.answer_unverified": (
        "⚠ 县级服务器的回复未通过验证：可能有人冒充或篡改。本机没有做任何更改，记录都还在。"
        "请检查网络，并告知县级中心。",
        "⚠ County answer failed verification: someone may be impersonating the county or "
        "altering its answers. Nothing on this kiosk was changed and every record is kept. "
        "Check the network and tell the county centre.",
    ),
    "staff.never": ("尚未同步", "never"),
    "staff.quarantined_item": (
        "• 被隔离的记录 {record_id}：{reason}",
        "• Quarantined record {record_id}: {reason}",
    ),
    "staff.no_details": (
        "取这个号时没有留下详细信息。",
        "No details were given with this number.",
    ),
    "staff.detail_matter": ("事项", "Matter"),
    "staff.detail_note": ("备注", "Note"),
    "staff.sync_now": ("立即同步", "Sync now"),
    "staff.sync_waiting": (
        "另一次同步正在进行（自动同步或命令行），完成后立即开始……",
        "Another sync is running (the automatic one or a command); starting when it ends…",
    ),
    "staff.sync_push": ("正在发送记录：{done} / {total}", "Sending records: {done} of {total}"),
    "staff.sync_pull": (
        "正在接收办理进度：已收到 {done} 条",
        "Receiving case updates: {done} so far",
    ),
    "staff.synced": (
        "同步完成：发送 {pushed} 条记录，县级中心确认 {acknowledged} 条，"
        "收到 {pulled} 条办理进度。",
        "Sync finished: {pushed} records sent, {acknowledged} confirmed by the county centre, "
        "{pulled} case updates received.",
    ),
    "staff.synced_refused": (
        "其中 {quarantined} 条被隔离、{conflicts} 条有冲突，详见发件箱。",
        " {quarantined} were quarantined and {conflicts} conflicted: see the outbox.",
    ),
    "staff.sync_errors": ("同步中出现的问题：{errors}", "Problems during the sync: {errors}"),
    "staff.clock_behind": (
        "注意：本机时钟比县级服务器慢约 {amount}，请校准本机时间（本次同步已自动校正）。",
        "Note: this kiosk's clock is about {amount} behind the county server's; please set it "
        "(this sync corrected for it).",
    ),
    "staff.clock_ahead": (
        "注意：本机时钟比县级服务器快约 {amount}，请校准本机时间（本次同步已自动校正）。",
        "Note: this kiosk's clock is about {amount} ahead of the county server's; please set "
        "it (this sync corrected for it).",
    ),
    "unit.minutes": ("{n} 分钟", "{n} min"),
    "unit.hours": ("{n} 小时", "{n} h"),
    "unit.days": ("{n} 天", "{n} days"),
    "staff.unreachable": (
        "无法连接县级服务器。所有记录仍保存在本机，请稍后再试。（{detail}）",
        "The county server cannot be reached. Every record is still kept on this kiosk; "
        "please try again later. ({detail})",
    ),
    "staff.refused": ("县级服务器拒绝了请求：{detail}", "The county server refused: {detail}"),
    "staff.wrong_passphrase": ("站点口令不正确。", "Wrong station passphrase."),
    "staff.station_locked": (
        "请先输入站点口令。",
        "Type the station passphrase first.",
    ),
    "staff.export_path": ("导出文件路径（U盘）", "Bundle file path (USB drive)"),
    "staff.export": ("导出", "Export"),
    "staff.exported": (
        "已把 {records} 条尚未确认的记录导出到 {path}（{size}）。请把U盘交到县级中心导入。",
        "{records} records not yet confirmed were exported to {path} ({size}). "
        "Take the USB drive to the county centre to import them.",
    ),
    "staff.export_failed": (
        "无法写入导出文件：{detail}。请检查U盘是否插好、路径是否正确。",
        "The bundle could not be written: {detail}. Check the USB drive and the path.",
    ),
    "staff.export_exists": (
        "该位置已有一个其他文件（不是导出包），为免覆盖未写入。请换一个文件名。",
        "Another file (not a bundle) is already there; it was not replaced. Choose another "
        "file name.",
    ),
    "staff.export_not_file": (
        "该位置是链接或文件夹，为安全起见未写入。请换一个文件名。",
        "That path is a link or a folder; nothing was written, for safety. Choose another "
        "file name.",
    ),
    "staff.need_path": ("请填写导出路径", "Type a path first"),
    "staff.server_url": ("县级服务器地址", "County server URL"),
    "staff.token": ("登记令牌", "Enrollment token"),
    "staff.enroll": ("登记本机", "Enroll this kiosk"),
    "staff.enrolled": (
        "登记成功：本机（站点 {station}）已登记到{county}，服务器 {server}。",
        "Enrolled: this kiosk (station {station}) now belongs to {county}, server {server}.",
    ),
    "staff.need_url_token": ("请填写地址和令牌", "Type the URL and the token"),
    "staff.scan_token": ("扫描令牌二维码", "Scan token QR"),
    "staff.scan_token_hint": (
        "请把县级中心发放的登记二维码对准摄像头。",
        "Hold the enrollment QR code from the county centre up to the camera.",
    ),
    "staff.scan_cancel": ("取消扫码", "Stop scanning"),
    "staff.qr_receipt": (
        "这是群众的回执二维码，不是设备登记令牌。请出示县级中心发放的登记二维码。",
        "That is a receipt QR code, not an enrollment token. "
        "Show the enrollment QR code from the county centre.",
    ),
    "staff.qr_not_token": (
        "这个二维码不是设备登记令牌。请出示县级中心发放的登记二维码。",
        "That QR code is not an enrollment token. "
        "Show the enrollment QR code from the county centre.",
    ),
    "staff.qr_bad_field": (
        "这个登记二维码的{field}缺失或有误，请向县级中心重新索取。",
        "This enrollment QR code has a missing or wrong {field}. "
        "Ask the county centre for a new one.",
    ),
    "staff.qr_field_token": ("令牌", "token"),
    "staff.qr_field_station": ("站点编号", "station id"),
    "staff.qr_field_expires_at": ("有效期", "expiry time"),
    "staff.qr_field_server": ("服务器地址", "server address"),
    "staff.qr_read": (
        "已读取登记二维码：站点 {station}，有效期至 {expires}。请核对后按“登记本机”。",
        "Enrollment QR read: station {station}, valid until {expires}. "
        "Check it, then press Enroll this kiosk.",
    ),
    "staff.qr_no_server": (
        "二维码中没有服务器地址，请核对或填写县级服务器地址。",
        "The QR code has no server address: check or type the county server URL.",
    ),
    "staff.qr_other_station": (
        "注意：这个令牌是给站点 {qr_station} 的，本机是站点 {own_station}，县级服务器会拒绝登记。"
        "请向县级中心索取站点 {own_station} 的令牌。",
        "Warning: this token is for station {qr_station}, but this kiosk is station "
        "{own_station}; the county server will refuse it. Ask the county centre for a token "
        "for station {own_station}.",
    ),
    "staff.qr_expired": (
        "注意：这个令牌已于 {expires}过期（按本机时钟），请向县级中心重新申请。",
        "Warning: this token expired at {expires} (by this kiosk's clock). "
        "Ask the county centre for a new one.",
    ),
    "staff.device_id": ("设备编号：{value}", "Device id: {value}"),
    "staff.device_station": ("站点：{value}", "Station: {value}"),
    "staff.device_county": ("所属县级中心：{value}", "County centre: {value}"),
    "staff.device_server": ("服务器地址：{value}", "Server: {value}"),
    "staff.not_enrolled": ("尚未登记", "not enrolled yet"),
    "staff.failed": ("操作失败：{error}", "Failed: {error}"),
    "ticket_state.waiting": ("等候中", "waiting"),
    "ticket_state.called": ("已叫号", "called"),
    "ticket_state.served": ("已办理", "served"),
    "ticket_state.no_show": ("未到", "no-show"),
    "home.staff": ("工作人员", "Staff"),
    "jobseeker.identity_title": ("您的信息", "About you"),
    "jobseeker.skills_title": ("您会做什么？", "What can you do?"),
    "jobseeker.skills_chips": ("点选您的技能（可多选）", "Tap your skills (several allowed)"),
    "jobseeker.other_text": ("其他（用逗号分开）", "Others (separate with commas)"),
    "jobseeker.jobs_title": ("您想找什么工作？", "What work are you looking for?"),
    "jobseeker.jobs_chips": ("点选想做的工作（可多选）", "Tap the work you want (several allowed)"),
    "jobseeker.work_title": ("时间和地点", "When and where"),
    "jobseeker.availability": ("什么时候可以工作", "When you can work"),
    "jobseeker.employment": ("用工形式", "Kind of work"),
    "jobseeker.area": ("希望在哪个区域工作", "Where you want to work"),
    "jobseeker.submit": ("提交登记", "Register"),
    "home.voice_on": ("语音提示：开", "Voice prompts: on"),
    "home.voice_off": ("语音提示：关", "Voice prompts: off"),
    # Spoken by kiosk.ui.voice (espeak-ng): questions and receipt facts, never personal data.
    "voice.jobs": ("这里是本地的招工信息。可以按地区和工种筛选。",
                   "These are the jobs on offer here. You can pick an area and a job type."),
    "voice.on": ("语音提示已打开。", "Voice prompts are on."),
    "voice.home": (
        "您好！请选择要办理的事项：维权投诉，求职登记，查询进度，或者取号。",
        "Hello! Choose: file a complaint, register as a job seeker, check your case, "
        "or take a queue number.",
    ),
    "voice.complaint.matter": ("请选择您要反映的问题。", "What is your complaint about?"),
    "voice.complaint.checklist": (
        "请看看需要带哪些材料，然后点下一步。",
        "Look at the documents to bring, then tap Next.",
    ),
    "voice.complaint.claimant": (
        "请填写您的姓名、身份证号码和手机号码。",
        "Please enter your name, ID number and phone number.",
    ),
    "voice.complaint.employer": ("请填写用人单位的名称。", "Please enter the employer's name."),
    "voice.complaint.claim": (
        "请填写要求的金额和时间，不清楚可以不填。",
        "Enter the amount and the period you claim for, if you know them.",
    ),
    "voice.complaint.details": (
        "请说明发生了什么，并选择希望怎么处理。",
        "Say what happened, and choose how you would like it handled.",
    ),
    "voice.complaint.review": ("请核对您填写的信息。", "Please check what you entered."),
    "voice.complaint.consent": (
        "请阅读说明，同意后点提交。",
        "Read the note, agree, then tap File.",
    ),
    "voice.jobseeker.identity": (
        "请填写您的姓名、身份证号码和手机号码。",
        "Please enter your name, ID number and phone number.",
    ),
    "voice.jobseeker.skills": ("您会做什么？请点选您的技能。", "What can you do? Tap your skills."),
    "voice.jobseeker.jobs": (
        "您想找什么工作？请点选。",
        "What work are you looking for? Tap it.",
    ),
    "voice.jobseeker.work": (
        "请选择什么时候可以工作，想在哪里工作。",
        "Choose when and where you can work.",
    ),
    "voice.jobseeker.review": (
        "请核对您填写的信息，然后点提交登记。",
        "Please check what you entered, then tap Register.",
    ),
    "voice.receipt": (
        "已经提交。您的回执编号是：{code}。请收好回执，到服务窗口找工作人员办理下一步。",
        "Filed. Your receipt code is: {code}. Keep the receipt and go to the service window "
        "for the next step.",
    ),
    "staff.input_pinyin": ("拼音输入：可用", "Pinyin input: available"),
    "staff.input_pinyin_missing": (
        "拼音输入不可用（{problem}），只能用字母键。",
        "Pinyin input unavailable ({problem}); only the letter keys work.",
    ),
    "staff.input_handwriting": ("手写输入：可用", "Handwriting input: available"),
    "staff.input_handwriting_missing": (
        "手写输入不可用：请安装 Debian 软件包 libzinnia0 和 tegaki-zinnia-simplified-chinese"
        "（{problem}）。拼音输入照常可用。",
        "Handwriting input unavailable: install the Debian packages libzinnia0 and "
        "tegaki-zinnia-simplified-chinese ({problem}). Pinyin input still works.",
    ),
    "staff.fuzzy_on": ("模糊拼音：开（z/zh、n/l 等不分）", "Fuzzy pinyin: on (z/zh, n/l … alike)"),
    "staff.fuzzy_off": ("模糊拼音：关", "Fuzzy pinyin: off"),
    "staff.input_loading": ("输入法正在加载…", "Input methods loading…"),
    "staff.voice_on": ("语音提示：可用，已打开", "Voice prompts: available, on"),
    "staff.voice_off": (
        "语音提示：可用，已关闭（在首页打开）",
        "Voice prompts: available, off (switch on at the home screen)",
    ),
    "staff.voice_missing": (
        "语音提示不可用：请安装 Debian 软件包 espeak-ng。其他功能照常可用。",
        "Voice prompts unavailable: install the Debian package espeak-ng. Everything else "
        "works.",
    ),
}
