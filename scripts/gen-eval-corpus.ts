/**
 * Build the labelled EVALUATION corpus test/fixtures/detect/eval.jsonl: synthetic but realistic
 * contracts (company registration / equity transfer / deregistration), support chats, forms and
 * tables with hard negatives. Templates and vocabularies differ from the training generator
 * (scripts/lib/train-data.ts). Identifiers carry valid checksums.   Run: npx tsx scripts/gen-eval-corpus.ts
 */
import { writeFileSync } from 'node:fs';
import {
  Rng, PROVINCES, CITIES, AREAS, genCnId, genBadCnId, genUscc, genMobile, genLandline, genBankCard, genHkId,
  genTaiwanId, genPassport, genPermit, genPlate,
} from '../src/detect/synth.js';
import { Doc } from './lib/builder.js';

const r = new Rng(77);
const SUR = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡', '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金', '石', '廖', '贾', '夏', '韦', '付', '方', '白', '邹', '孟', '熊', '秦', '邱', '江', '尹', '薛', '闫', '段', '雷', '侯', '龙', '史', '陶', '黎', '贺', '顾', '毛', '郝', '龚', '邵', '万', '钱', '严', '覃', '武', '戴', '莫', '孔', '向', '汤', '欧阳', '司马', '诸葛'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳浩宇轩然博文涵子墨梓睿嘉懿一诺思远俊豪志鹏建国振华德胜国庆立新'];
const ESTATE = ['阳光花园', '翠湖名苑', '金色家园', '碧水云天', '锦绣华庭', '万科城', '绿地世纪城', '丽景湾', '枫林绿洲', '幸福里'];
const STREETS = ['望京', '龙华', '滨海', '凤凰', '金沙', '紫荆', '梧桐', '银杏', '玉泉', '天府', '星河', '海棠'];
const name = () => r.pick(SUR) + r.pick(GIVEN) + (r.chance(0.75) ? r.pick(GIVEN) : '');

function division() {
  const area = r.pick(AREAS);
  const city = CITIES.find((c) => c.code === area.cityCode);
  const prov = PROVINCES.find((p) => p.code === area.provinceCode)!;
  const cityName = city && city.name !== '市辖区' && city.name !== '县' ? city.name : '';
  return { prov: prov.name, city: cityName, area: area.name };
}
function address(): string {
  const d = division();
  const head = (r.chance(0.8) ? d.prov : '') + d.city + d.area;
  switch (r.int(0, 4)) {
    case 0: return `${head}${r.pick(STREETS)}街道${r.pick(ESTATE)}${r.int(1, 40)}号楼${r.int(1, 8)}单元${r.int(1, 33)}0${r.int(1, 6)}室`;
    case 1: return `${head}${r.pick(STREETS)}镇${r.pick(['东', '西', '南', '北', '新'])}${r.pick(['庄', '湾', '岭'])}村${r.int(1, 12)}组${r.int(1, 99)}号`;
    case 2: return `${head}${r.pick(STREETS)}工业园区${r.pick(STREETS)}大道${r.int(1, 300)}号${r.int(1, 9)}号厂房`;
    case 3: return `${head}${r.pick(STREETS)}路${r.int(1, 500)}号${r.pick(['国贸', '环球', '中信', '时代'])}大厦${r.int(2, 40)}层${r.int(1, 20)}室`;
    default: return `${head}${r.pick(STREETS)}${r.pick(['大街', '路', '巷'])}${r.int(1, 200)}弄${r.int(1, 60)}号`;
  }
}
function company(): string { return `${r.pick(PROVINCES).name.replace(/省|市|自治区|壮族|回族|维吾尔/g, '')}${r.pick(['星辰', '远景', '聚源', '启明', '明德', '禾丰'])}${r.pick(['供应链管理', '文化传媒', '生物科技', '建筑工程'])}有限公司`; }
const orderNo = () => `${r.int(2019, 2025)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}${r.digits(r.int(8, 12))}`;
const tracking = () => r.pick(['SF', 'YT', 'ZTO', 'JD']) + r.digits(r.int(12, 15));
const amount = () => `${r.int(1, 999)},${r.digits(3)}.${r.digits(2)}`;
const ts = () => `${r.int(2020, 2025)}-0${r.int(1, 9)}-1${r.int(0, 9)} ${r.int(10, 23)}:${r.int(10, 59)}:${r.int(10, 59)}`;
const birth = () => `${r.int(1955, 2004)}年${r.int(1, 12)}月${r.int(1, 28)}日`;

const docs: Array<{ id: string; genre: string; text: string; spans: Array<{ type: string; start: number; end: number }> }> = [];
function add(genre: string, d: Doc) { docs.push({ id: `${genre}-${docs.length + 1}`, genre, text: d.text, spans: d.spans }); }

for (let i = 0; i < 60; i++) {
  // company registration (公司设立) articles
  const d = new Doc();
  d.t(`${company()}章程\n第五条 股东的姓名、出资方式及出资额如下：\n股东一：`).e('person_name', name()).t('，身份证号码：').e('cn_id', genCnId(r)).t('，住所地：').e('address', address())
    .t(`，以货币出资${r.int(10, 500)}万元。\n股东二：`).e('person_name', name()).t('，居民身份证号码').e('cn_id', genCnId(r)).t('，住址').e('address', address())
    .t(`。\n第十二条 公司设执行董事一名，由`).e('person_name', name()).t(`担任，联系方式`).e('mobile', genMobile(r)).t(`。\n注册资本以实缴为准，申请日期${ts().slice(0, 10)}。`);
  add('contract', d);
}
for (let i = 0; i < 60; i++) {
  // equity transfer (股权转让协议)
  const d = new Doc();
  const m = genMobile(r);
  d.t('股权转让协议\n出让方（甲方）：').e('person_name', name()).t('\n证件号码：').e('cn_id', genCnId(r)).t('\n联系地址：').e('address', address()).t('\n联系电话：').e('mobile', `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`)
    .t('\n受让方（乙方）：').e('person_name', name()).t('\n护照号码：').e('passport', genPassport(r)).t('\n电子邮箱：').e('email', `${r.pick(['li', 'wang', 'hr', 'legal'])}${r.digits(3)}@${r.pick(['qq.com', '163.com', 'corp-example.cn'])}`)
    .t(`\n目标公司：${company()}（统一社会信用代码：`).e('uscc', genUscc(r)).t(`）\n甲方将其持有的目标公司${r.int(1, 60)}%股权以人民币${amount()}元转让给乙方，乙方应于${ts().slice(0, 10)}前汇入甲方账户（开户行：招商银行，卡号：`).e('bank_card', genBankCard(r)).t('）。');
  add('contract', d);
}
for (let i = 0; i < 50; i++) {
  // deregistration (注销)
  const d = new Doc();
  d.t(`注销公告\n${company()}（统一社会信用代码`).e('uscc', genUscc(r)).t(`）经股东会决议解散，成立清算组，清算组负责人`).e('person_name', name())
    .t('，联系电话').e('landline', genLandline(r).replace(/^(0\d{2,3})/, '$1-')).t('，通讯地址').e('address', address()).t('，邮编').e('postal_code', `${r.int(10, 85)}${r.digits(4)}`)
    .t(`。请债权人自公告之日起45日内申报债权。公告编号${orderNo()}。`);
  add('contract', d);
}
for (let i = 0; i < 80; i++) {
  // support chats
  const d = new Doc();
  const n = name();
  const k = r.int(0, 3);
  if (k === 0) {
    d.t(`[${ts()}] 用户：你好，我叫`).e('person_name', n).t('，手机').e('mobile', genMobile(r)).t(`，订单号${orderNo()}一直没发货\n[${ts()}] 客服小美：`).e('person_name', n)
      .t(`${r.pick(['先生', '女士'])}您好，已为您加急，快递单号${tracking()}，将寄往`).e('address', address()).t('，请留意。');
  } else if (k === 1) {
    d.t(`客户：麻烦帮我改下收货地址，新地址是`).e('address', address()).t('，收件人写').e('person_name', n).t('，电话').e('mobile', `+86 ${genMobile(r).replace(/(\d{3})(\d{4})(\d{4})/, '$1 $2 $3')}`)
      .t(`\n坐席：好的，本单金额¥${amount()}，已更新。`);
  } else if (k === 2) {
    d.t('访客：我要开发票，邮箱是').e('email', `${r.pick(['zhang', 'liu', 'finance'])}.${r.digits(2)}@${r.pick(['126.com', 'example.com.cn', 'outlook.com'])}`)
      .t(`，登录IP显示`).e('ip', `${r.int(11, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`).t(`。\n客服：好的`).e('person_name', n).t(`先生，发票号码${r.digits(20)}会发到您邮箱。`);
  } else {
    d.t('用户：车牌').e('plate', genPlate(r)).t(`的违章怎么处理？我是车主`).e('person_name', n).t('，驾驶证跟身份证').e('cn_id', genCnId(r)).t(`一样。\n客服：请于${ts().slice(0, 10)}前处理，罚款${r.int(50, 500)}元。`);
  }
  add('chat', d);
}
for (let i = 0; i < 80; i++) {
  // forms
  const d = new Doc();
  const k = r.int(0, 2);
  if (k === 0) {
    d.t('入职登记表\n姓　　名：').e('person_name', name()).t(`\n性　　别：${r.pick(['男', '女'])}\n出生日期：`).e('birth_date', birth()).t('\n身份证号：').e('cn_id', genCnId(r))
      .t('\n手机号码：').e('mobile', genMobile(r)).t('\n家庭住址：').e('address', address()).t('\n工资卡号：').e('bank_card', genBankCard(r)).t('\n紧急联系人：').e('person_name', name()).t(' 电话：').e('mobile', genMobile(r));
  } else if (k === 1) {
    d.t('访客登记\n来访人：').e('person_name', name()).t('\n证件：香港身份证 ').e('hk_id', genHkId(r)).t('\n回乡证号码：').e('mainland_permit', genPermit(r)).t(`\n来访时间：${ts()}\n被访人：`).e('person_name', name());
  } else {
    d.t('台胞服务申请表\n申请人：').e('person_name', name()).t('\n台湾身份证字号：').e('taiwan_id', genTaiwanId(r)).t('\n大陆住所：').e('address', address()).t('\n联系邮箱：').e('email', `tw${r.digits(4)}@example.com.tw`);
  }
  add('form', d);
}
for (let i = 0; i < 40; i++) {
  // tables (TSV-like text with a header)
  const d = new Doc();
  d.t('序号\t客户姓名\t手机号\t证件号码\t收货地址\t订单金额\n');
  for (let j = 1; j <= 3; j++) {
    d.t(`${j}\t`).e('person_name', name()).t('\t').e('mobile', genMobile(r)).t('\t').e('cn_id', genCnId(r)).t('\t').e('address', address()).t(`\t${r.int(10, 9999)}.${r.digits(2)}\n`);
  }
  add('table', d);
}
for (let i = 0; i < 60; i++) {
  // hard negatives: nothing here is PI
  const d = new Doc();
  d.t(r.pick([
    `订单号：${orderNo()}，下单时间${ts()}，实付金额¥${amount()}，物流单号${tracking()}。`,
    `系统日志 ${ts()} 请求ID ${r.digits(18)}0${r.digits(2)} 耗时${r.int(10, 999)}ms，版本1.${r.int(0, 9)}.${r.int(0, 20)}。`,
    `对账单：流水号${r.digits(19)}1，交易金额${amount()}元，余额${amount()}元。`,
    `身份证号码填写错误：${genBadCnId(r)}，请重新核对。`,
    `批次号${r.digits(24)}已入库，SKU编号${r.digits(13)}，共${r.int(1, 300)}件。`,
    `${company()}于${r.int(2001, 2023)}年在${r.pick(PROVINCES).name}成立，主营${r.pick(['软件', '物流', '餐饮'])}业务，2023年营收${r.int(1, 90)}亿元。`,
    `会议定于${ts()}在第${r.int(1, 9)}会议室召开，时长${r.int(1, 3)}小时，参会人数${r.int(5, 60)}人。`,
    `发票代码${r.digits(12)}，发票号码${r.digits(8)}，税额${amount()}元。`,
  ]));
  add('negative', d);
}
writeFileSync(new URL('../test/fixtures/detect/eval.jsonl', import.meta.url), docs.map((x) => JSON.stringify(x)).join('\n') + '\n');
console.log(`wrote ${docs.length} documents, ${docs.reduce((a, x) => a + x.spans.length, 0)} labelled spans`);
