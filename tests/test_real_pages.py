"""Real scraped pages nobody here wrote (tests/fixtures/real/README.md): what must go and what must stay."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import assert_gone

from pipeline.runner import clean_file

REAL = Path(__file__).parent / "fixtures" / "real"


def test_renrendoc_chunks_rejoined_and_header_dropped(rules):
    doc = clean_file(REAL / "renrendoc_176260434.txt", rules=rules)
    assert "版权说明" not in doc.text and "文档简介" not in doc.text
    assert "租金及房屋状况（待租赁、已出租）" in doc.text
    assert "当租赁者与房主达成租房或退房协议后" in doc.text
    assert not any(line.startswith(("1、", "2、", "3、")) for line in doc.paragraphs)
    assert doc.metadata["site"] == "renrendoc"


def test_360docs_notices_dropped_real_list_kept(rules):
    doc = clean_file(REAL / "360docs_6a9896566.txt", rules=rules)
    assert "下载文档前请自行甄别" not in doc.text and "合集下载" not in doc.text
    assert "如文档侵犯您的权益" not in doc.text
    assert "1. 单选题 C C D B C" in doc.paragraphs
    assert "2. 判断题对错错错对" in doc.paragraphs
    assert "第一章作业参考答案" in doc.paragraphs


def test_renrendoc_thumbnails_counter_and_button_dropped(rules):
    doc = clean_file(REAL / "renrendoc_509584449.txt", rules=rules)
    assert "_第1页" not in doc.text and "_第5页" not in doc.text
    assert "还剩12页未读" not in doc.text and "继续免费阅读" not in doc.text
    assert "下载本文档" not in doc.text and "版权说明" not in doc.text and "文档简介" not in doc.text
    assert "本系统采用模块化设计，涵盖任务管理、文档处理、通讯协作、数据统计与分析等多个核心功能模块" in doc.text
    # the thumbnail captions name the title; it is split from the flattened body it starts
    assert doc.title == "高效办公自动化系统操作手册（标准版）"
    assert doc.paragraphs[0] == "高效办公自动化系统操作手册（标准版）"
    assert doc.paragraphs[1].startswith("第1章系统概述与基础概念")
    assert doc.metadata["site"] == "renrendoc"


def test_renrendoc_traditional_mirror_chrome_dropped(rules):
    doc = clean_file(REAL / "bubsandbeans_257871270.txt", rules=rules)
    assert "_第1頁" not in doc.text and "還剩31頁未讀" not in doc.text
    assert "下載本文檔" not in doc.text and "版權" not in doc.text and "文檔簡" not in doc.text
    assert "第一頁" not in doc.text and "共36頁" not in doc.text
    assert "大國重器一定要掌握在自己手里。" in doc.text
    assert not re.search(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔù]+[)）]", doc.text)  # glosses after single characters gone
    assert "被監控(如“棱鏡" in doc.text  # a real parenthesis stays
    assert doc.paragraphs[0] == doc.title == "我國網信領域若干創新-倪光南院士"  # from the thumbnail captions
    assert doc.paragraphs[2].startswith("一、中興事件的教訓")


def test_31ppt_download_box_dropped(rules):
    doc = clean_file(REAL / "31ppt_4995609.txt", rules=rules)
    assert_gone(
        doc.text,
        "欢迎来到三一办公",
        "办公文档>",
        "ImageVerifierCode",
        "资源ID",
        "快捷下载",
        "下载资源需要",
        "用户名和密码",
        "加入VIP",
        "验证码",
        "忘记密码",
        "友情提示",
        "本站不支持迅雷下载",
        "资源分类",
    )
    assert doc.metadata["title"] == "计算机二级C语言程序设计第9讲"
    assert doc.paragraphs[0] == "计算机二级C语言程序设计第9讲"
    assert "使用指针，可以使程序更加简洁、紧凑、高效。" in doc.text


def test_desk33_download_box_dropped(rules):
    doc = clean_file(REAL / "desk33_1242642.txt", rules=rules)
    assert_gone(
        doc.text,
        "欢迎来到课桌文档",
        "建筑工程资料库",
        "党建之窗>",
        "在线阅读>",
        "资源分类",
        "DOCX文档下载",
        "资源ID",
        "快捷下载",
        "游客一键下载",
        "下载积分",
        "友情提示",
        "试题试卷类文档",
        ".docx",
    )
    assert doc.metadata["site"] == "desk33"
    assert "课题分析社交网站的用户影响力课时2课时（90min）教学目标" in doc.text
    assert "掌握图的常用算法" in doc.text


def test_iask_header_and_abstract_dropped(rules):
    doc = clean_file(REAL / "iask_EKnT1anxtz.txt", rules=rules)
    assert "举报" not in doc.text and "开通vip" not in doc.text and "首页" not in doc.text
    assert "胡少华 ..." not in doc.text
    assert doc.text.count("开发文档-编程规范") == 1
    assert doc.paragraphs[0] == "开发文档-编程规范"
    assert doc.paragraphs[1].startswith("Java编码规范")
    assert "8.1每行应该只有一条语句。" in doc.text


def test_iask_keyword_links_removed(rules):
    doc = clean_file(REAL / "iask_EKnT1anxtz.txt", rules=rules)
    assert "128. 表达式和语句128.1每行应该只有一条语句。" in doc.text
    assert "视力表" not in doc.text and "pdf" not in doc.text
    links = [e for e in doc.edits if e.rule_id == "damage.keyword-links"]
    assert links and all(e.reason for e in links)


def test_taowenge_header_thumbnails_dropped(rules):
    doc = clean_file(REAL / "taowenge_68492119.txt", rules=rules)
    assert_gone(
        doc.text,
        "上传人",
        "文档编号",
        "返回 下载",
        "_第1页",
        "第1页 / 共28页",
        "点击查看更多",
        "资源描述",
        "由会员分享",
        "淘文阁",
    )
    assert not any(line.startswith(("1、", "2、")) for line in doc.paragraphs)
    assert "操作系统内核是" in doc.text and "软件开发领域比较深的技术点" in doc.text
    assert doc.metadata["site"] == "taowenge"


def test_taowenge_doubled_text_layer_undoubled(rules):
    doc = clean_file(REAL / "taowenge_68492119.txt", rules=rules)
    assert "第15章" in doc.text and "第第" not in doc.text and "1515" not in doc.text
    assert (
        "解析Linux内核内核是操作系统的核心，通常说的Linux是指Linux操作系统的内核，是一组系统管理软件的集合。"
        in doc.text
    )
    assert (
        "目前最流行的开源操作系统之一，由于其代码的高度开放性，越来越多的人参与到Linux内核的研究和开发中。" in doc.text
    )
    assert doc.text.count("内核是操作系统的核心") == 1
    rules_used = {e.rule_id for e in doc.edits}
    assert {"damage.doubled-text", "damage.repeated-phrase"} <= rules_used


@pytest.mark.parametrize("name", ["iask_EKnT1anxtz.txt", "bigxun_1942207401093599234.txt", "renrendoc_176260434.txt"])
def test_tables_of_contents_bullets_and_exams_not_spun(rules, name):
    doc = clean_file(REAL / name, rules=rules)
    quality = doc.metadata["quality"]
    assert "spun" not in [w["kind"] for w in quality["warnings"]], quality


def test_77cn_banner_notice_and_toggles_dropped(rules):
    doc = clean_file(REAL / "77cn_168924.txt", rules=rules)
    assert_gone(
        doc.text,
        "77范文网",
        "专业文章范例文档资料分享平台",
        "网络收集",
        "下载这篇文档",
        "手机版",
        "仅供预览",
        "点击这里给我发消息",
        "隐藏答案",
        "? ?",
    )
    assert doc.metadata["site"] == "77cn"
    assert doc.metadata["title"] == "计算机系统结构_知识点测评"
    assert "D.计算机应用【答案】B" in doc.text
    assert "A. 寻址种类" in doc.paragraphs
    assert "【答案】D" in doc.paragraphs


def test_bigxun_preview_notices_and_label_dropped(rules):
    doc = clean_file(REAL / "bigxun_1942207401093599234.txt", rules=rules)
    assert "还剩48页未读" not in doc.text and "只提供10页预览" not in doc.text
    assert "文本内容" not in doc.text
    assert doc.paragraphs[0].startswith(
        "托盘货架培训课件仓储系统核心基础设施，托盘货架是现代物流中不可或缺的重要组成部分"
    )
    # the flattened bullet list: one item a line
    assert "•提高全体仓储人员对托盘货架操作的安全意识" in doc.paragraphs
    assert "•规范化托盘货架的日常使用流程" in doc.paragraphs


def test_bingdian_mobile_page_header_dropped(rules):
    doc = clean_file(REAL / "bingdian_15296480.txt", rules=rules)
    assert_gone(
        doc.text,
        "上传人",
        "文档编号",
        "_第1页",
        "共25页",
        "超出免费预览范围",
        "下载资源",
        "资源描述",
        "由会员分享",
        "冰点文库",
        ".docx",
    )
    assert doc.metadata["site"] == "bingdian"
    assert doc.metadata["title"] == "BBS论坛的设计实现"
    assert doc.paragraphs[0] == "BBS论坛的设计实现"
    assert doc.paragraphs[1] == "毕业论文（设计）"
    assert "姓名李明哲" in doc.paragraphs
    # table-of-contents entries stay one a line
    assert "1.1BBS的发展背景5" in doc.paragraphs and "1.2BBS对大学生学习生活的影响6" in doc.paragraphs


def test_zhuangpeitu_header_and_watermark_dropped(rules):
    doc = clean_file(REAL / "zhuangpeitu_76713658.txt", rules=rules)
    assert_gone(
        doc.text, "上传人", "版权申诉", "_第1页", "资源描述", "由会员分享", "装配图网", "好资料", "更多精品文档"
    )
    assert doc.metadata["site"] == "zhuangpeitu"
    assert doc.paragraphs[0] == "机械制造课程设计说明书（重庆理工大学）讲解学习"
    assert "为今后的毕业设计及未来从事的工作打下良好的基础。" in doc.text  # chunk marker 2、 rejoined
    assert "第二部分气门摇杆轴支座共有六组加工表面" in doc.text


def test_zhuangpeitu_traditional_mirror_header_dropped(rules):
    doc = clean_file(REAL / "zhuangpeitu_zhongcaozhi_66369035.txt", rules=rules)
    assert_gone(
        doc.text,
        "上傳人",
        "文檔編號",
        "版權申訴",
        "_第1頁",
        "本資源只提供",
        "喜歡就下載吧",
        "積分",
        "資源描述",
        "裝配圖網",
    )
    assert doc.metadata["site"] == "zhuangpeitu"
    assert doc.paragraphs[0] == "機械工藝輸出軸設計"
    assert doc.paragraphs[1].startswith("目錄 1、零件圖")
    assert "零件的材料為 45 鋼，是最常用中碳調質鋼，綜合力學性能良好。" in doc.text


def test_zhuangpeitu_pinyin_mirror_header_dropped(rules):
    doc = clean_file(REAL / "zhuangpeitu_ioszen_13305915.txt", rules=rules)
    assert_gone(doc.text, "上傳人", "下載文檔到電腦", "還剩", "資源描述", "由會員分享", "裝配圖網", "谘b", "(jī)")
    assert doc.metadata["title"] == "機油泵后蓋鉆孔的夾具設計"
    assert doc.paragraphs[0] == "機油泵后蓋鉆孔的夾具設計"
    assert doc.paragraphs[1].startswith("12 機電及自動化學院夾具設計說明書")
    assert "內容主要包括任務介紹、定位方案、定位誤差分析、夾緊方案確定、夾具結構設計等內容。" in doc.text


def test_zhuangpeitu_traditional_download_box_dropped(rules):
    doc = clean_file(REAL / "zhuangpeitu_appdesigncorp_34726465.txt", rules=rules)
    assert_gone(
        doc.text,
        "歡迎來到",
        "ImageVerifierCode",
        "資源ID",
        "span id",
        "下載積分",
        "快捷下載",
        "登錄",
        "郵箱",
        "溫馨提示",
        "支付",
        "驗證碼",
        "忘記密碼",
        "友情提示",
        "迅雷",
        "試題試卷類文檔",
    )
    assert doc.metadata["site"] == "zhuangpeitu"
    assert doc.paragraphs == [
        "課程設計連桿蓋夾具設計說明書",
        "課程設計院別：機電學院專業：機械設計制造及其自動化姓名：學號：指導教師：日期：2011年5月目錄機床夾具設計課程設計任務書2序言3一、零件的分析31、零件的生產類型32、零件的工藝分析4二、工藝規程設計51、毛坯的選擇及毛坯的余量確定52、基準的選擇63、制定工藝路線64、工序內容設計8",
    ]


def test_baiduwenku_copy_prompts_dropped_code_kept(rules):
    doc = clean_file(REAL / "baiduwenku_cnblogs_ioctl.txt", rules=rules)
    assert_gone(doc.text, "下载文档到电脑", "下载券", "人已下载", "还剩3页未读", "static.pay.baidu.com")
    assert "下载" not in doc.paragraphs
    assert doc.metadata["site"] == "baiduwenku"
    assert "#define SIOCSIWTXPOW 0x8B26" in doc.paragraphs
    assert (
        "#define SIOCGIWTXPOW 0x8B27 /* 获取传输功率(dBm) */ #define SIOCSIWRETRY 0x8B28 /* 设置重传次数和生存时"
        in doc.paragraphs
    )
    assert "#define SIOCIWLASTPRIV 0x8BFF" in doc.paragraphs
