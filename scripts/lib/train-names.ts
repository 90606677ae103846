/**
 * Synthetic TRAINING text for person names in open, chat-style and form-style Chinese, plus the
 * name generator (standard surname list + given-name characters). Written independently of the
 * evaluation corpus builder (scripts/gen-eval-corpus.ts): own phrases, own vocabularies.
 */
import { Rng, genMobile, genCnId } from '../../src/detect/synth.js';
import { SINGLE_SURNAMES, COMPOUND_SURNAMES } from '../../src/detect/surnames.js';
import { Doc } from './builder.js';
import { trainAddress, company } from './train-data.js';

/** Common given-name characters (both sexes), a general list. */
export const GIVEN_COMMON = [...
  '一乙丁七万三上丽义之乐云亮仁今仙令伊伟佑佩佳俊俐信修倩健儒元光克兰兴军冬冰凌凤凯刚初利力劲勇勤华卓南博卫厚友双叔可吉君启和咏品哲唯嘉囡国圣坤城培基堂塔增士壮复夏大天太奇奕妍妙妮妹姗姝姣姿娅娇娜娟娥婉婕婧婵婷媛嫣嫦子存孝孟季学宁宇守安宏宗宜宝实宣宸家容宽富寒尧展山岚岩峰峻崇川州巧帆希帅帝平年幸广康庭建弘强彤彦彩彬影征德心志忠怀怡思恒恩恬悦情惠意慧慕懿成战才振敏敬文斌新方旭昂明昊昌星春昭晋晓晨晴晶智暄曦月朋望朝木杰松林枫柏柔栋树桂梅梓梦森楠欢正武毅民永江汉沁沛治泉泽波洁洋洪浩海涛润涵淑清湘源溪滢潇澜灵炎烨然煜照熙燕爱牧玉王玥玲珊珍珠琦琪琳琴琼瑜瑞瑶瑾璇璐甜生田甫男畅白皓益盛真睿瑗石磊礼祥福禹秀秋科程稳立章端笑筱築红纯素紫红美群翔羽翠翰耀聪胜艳艺艾芊芝芬芳芸苑若英茂茜茹荣莉莎莲菁菊菲萍萱蒙蓉蓓蔚蕾薇虹诗语诚豪贞贤超越跃轩辉达远迪逸道邦金鑫钰铭锋锦镇长阳雄雅雨雪雯震霖霞露青静非韵顺颖飞香馨驰骏鸣鹏鹤黎'];

const SINGLE = [...SINGLE_SURNAMES];

/** A random plausible Chinese name: frequent surnames more often, 1-2 given chars, some compound. */
export function makeName(r: Rng, given: readonly string[], pool: readonly string[] = given): string {
  let sur: string;
  const u = r.next();
  if (u < 0.05) sur = r.pick(COMPOUND_SURNAMES);
  else if (u < 0.65) sur = SINGLE[r.int(0, 99)];
  else if (u < 0.9) sur = SINGLE[r.int(100, 249)];
  else sur = r.pick(SINGLE);
  // some given-name chars from a broad pool, so that context, not only the char, makes a name
  const g = () => r.chance(0.3) ? r.pick(pool) : r.pick(given);
  const g1 = g();
  return sur + g1 + (r.chance(sur.length === 2 ? 0.45 : 0.72) ? g() : '');
}

type Part = string | { n: 1 } | { a: 1 } | { m: 1 };
const N = { n: 1 } as const, A = { a: 1 } as const, M = { m: 1 } as const;

/** Phrases with names in chat, service tickets, notes and contracts. */
const PHRASES: Part[][] = [
  ['你好，我是', N, '，想问一下退款进度'], ['您好我是', N, '，昨天下的单'], ['我叫', N, '，麻烦查一下'], ['找一下', N, '经理'],
  ['请', N, '老师回个电话'], [N, '：好的，收到'], [N, '：我这边已经处理了'], ['@', N, ' 麻烦看一下这个工单'], ['帮我转告', N, '一声'],
  ['我是', N, '的家属，替他办理'], ['刚和', N, '通过电话，他说下午到'], ['联系人填', N, '就行'], ['收货人改成', N, '，电话', M],
  ['我同事', N, '会过来取件'], ['麻烦', N, '先生确认一下信息'], [N, '女士，您的预约已确认'], ['请问是', N, '吗？'], ['把合同发给', N, '吧'],
  [N, '说他明天再来'], ['我帮', N, '问一下'], ['名字是', N, '，手机', M], ['登记的名字是', N], [N, '和', N, '都在群里'],
  ['已经转账给', N, '了'], ['这单是', N, '下的'], ['跟', N, '约好了周五面谈'], ['老板', N, '不在，您留个言'], ['客户', N, '投诉说没收到货'],
  ['用户：我是', N, '，身份证号', 'ID', '，帮我改下地址'], ['你好', N, '，你的快递到了'], ['代', N, '签收'], ['抄送', N, '、', N],
  ['由', N, '负责跟进'], ['经办人：', N, '  日期：2023年5月6日'], ['审核：', N, '；复核：', N], ['证明人', N, '（签字）'],
  ['本人', N, '承诺以上信息属实'], ['兹委托', N, '代为办理'], ['乙方代表', N, '签字确认'], ['同意', N, '辞去执行董事职务'],
  ['选举', N, '为公司监事'], ['聘任', N, '为总经理'], ['转让方', N, '与受让方', N, '达成如下协议'], ['清算组成员：', N, '、', N, '、', N],
  ['报名人：', N, '，联系方式：', M], ['寄件人 ', N, ' ', M], [N, ' ', M, ' ', A], ['收件：', N, '，', A],
  ['麻烦', N, '把材料送到', A], [N, '的新地址是', A], ['车主', N, '的车停在', A], ['你好我是', N, '我住在', A],
  ['名字写', N, '就可以'], ['抬头填', N], ['收件人是', N], ['联系人改为', N, '，号码', M], ['我是业主', N], ['我是租户', N, '，住', A],
  ['姓　　名：', N, '\n性　　别：', '女'], ['姓 名：', N, '  民族：汉'], ['填表人：', N], ['联络人：', N, '（', M, '）'], ['访客：', N, '\n事由：送货'],
  ['被保险人：', N, '\n投保人：', N], ['承租人：', N, '\n出租人：', N], ['借款人：', N, '，担保人：', N], ['陪同人员：', N],
  ['喂，是', N, '吗？我是快递员'], ['好的', N, '先生，已为您登记'], ['谢谢', N, '女士的耐心等待'], [N, '同学请到办公室'], ['患者', N, '，男，45岁'],
];

/** One synthetic chat / note / contract clause with names (and sometimes addresses, mobiles). */
export function nameDoc(r: Rng, name: (r: Rng) => string): Doc {
  const d = new Doc();
  const lines = r.int(1, 3);
  for (let l = 0; l < lines; l++) {
    if (l) d.t(r.pick(['\n', '。', '；', ' ']));
    if (r.chance(0.3)) d.t(`[${r.int(8, 22)}:${String(r.int(0, 59)).padStart(2, '0')}] `);
    if (r.chance(0.35)) d.t(r.pick(['客服：', '用户：', '顾客：', '坐席：', '买家：', '商家：', '管理员：', '']));
    for (const p of r.pick(PHRASES)) {
      if (typeof p === 'string') d.t(p === 'ID' ? genCnId(r) : p);
      else if ('n' in p) d.e('PER', name(r));
      else if ('a' in p) d.e('ADR', trainAddress(r));
      else d.t(genMobile(r));
    }
  }
  return d;
}

/** A table with a row number column, names, phones, addresses and amounts (no inline context). */
export function tableDoc(r: Rng, name: (r: Rng) => string): Doc {
  const d = new Doc();
  const sep = r.pick(['\t', ',', '  ', ' | ']);
  const cols = r.pick([['序号', '姓名', '手机', '地址', '金额'], ['编号', '客户名称', '联系电话', '住址'], ['No', '收件人', '电话', '收件地址', '件数'], ['工号', '员工', '部门', '手机号']]);
  d.t(cols.join(sep) + '\n');
  for (let j = 1; j <= r.int(1, 5); j++) {
    cols.forEach((c, ci) => {
      if (ci) d.t(sep);
      if (ci === 0) d.t(String(c === '工号' ? r.int(1000, 99999) : j));
      else if (/姓名|客户|收件人|员工/.test(c)) d.e('PER', name(r));
      else if (/地址|住址/.test(c)) d.e('ADR', trainAddress(r));
      else if (c === '部门') d.t(r.pick(['销售部', '财务部', '技术部', '行政部']));
      else if (/金额|件数/.test(c)) d.t(c === '件数' ? String(r.int(1, 9)) : `${r.int(10, 9999)}.${r.int(10, 99)}`);
      else d.t(genMobile(r));
    });
    d.t('\n');
  }
  if (r.chance(0.3)) d.t(`制表人：`).e('PER', name(r)).t(`  ${company(r)}`);
  return d;
}
