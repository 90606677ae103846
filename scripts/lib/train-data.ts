/**
 * Synthetic TRAINING documents (forms, contracts, chats) for the name/address model. The templates
 * and vocabularies here are deliberately different from scripts/gen-eval-corpus.ts so that the
 * evaluation figures are not measured on the training templates.
 */
import { Rng, PROVINCES, CITIES, AREAS, genCnId, genMobile, genUscc, genBankCard, genLandline } from '../../src/detect/synth.js';
import { Doc } from './builder.js';

const ROADS = ['人民', '中山', '解放', '建设', '和平', '胜利', '长江', '黄河', '文化', '新华', '朝阳', '滨江', '东风', '友谊', '青年', '光明', '学府', '科技', '创业', '迎宾', '花园', '工农', '团结', '民主', '复兴'];
const ROAD_SUFFIX = ['路', '街', '大道', '中路', '北路', '南路', '东路', '西路', '大街', '巷'];
const COMPANY_WORDS = ['华信', '恒通', '瑞丰', '鼎盛', '宏达', '天成', '博远', '嘉禾', '中科', '新锐', '汇金', '云帆'];
const COMPANY_KIND = ['科技有限公司', '贸易有限公司', '网络科技有限公司', '实业有限公司', '信息技术有限公司', '餐饮管理有限公司', '物流有限公司'];

export function trainAddress(r: Rng): string {
  const area = r.pick(AREAS);
  const city = CITIES.find((c) => c.code === area.cityCode);
  const prov = PROVINCES.find((p) => p.code === area.provinceCode)!;
  let s = '';
  if (r.chance(0.7)) s += prov.name;
  if (city && city.name !== '市辖区' && city.name !== '县' && r.chance(0.85)) s += city.name;
  s += area.name;
  s += r.pick(ROADS) + r.pick(ROAD_SUFFIX) + r.int(1, 999) + '号';
  const tail = r.int(0, 4);
  if (tail === 1) s += `${r.int(1, 30)}栋${r.int(1, 6)}单元${r.int(101, 2802)}室`;
  else if (tail === 2) s += `${r.int(1, 20)}号楼${r.int(1, 30)}层`;
  else if (tail === 3) s += `${r.int(101, 3003)}室`;
  return s;
}

export function company(r: Rng): string {
  const city = r.pick(CITIES).name.replace(/市$/, '');
  return (r.chance(0.5) && city !== '市辖区' ? city : '') + r.pick(COMPANY_WORDS) + r.pick(COMPANY_KIND);
}

function date(r: Rng): string { return `${r.int(1960, 2003)}年${r.int(1, 12)}月${r.int(1, 28)}日`; }

export type NameGen = (r: Rng) => string;

/** One synthetic training document. */
export function trainDoc(r: Rng, name: NameGen): Doc {
  const d = new Doc();
  const k = r.int(0, 12);
  const sep = r.pick(['：', ':', '：', ' ']);
  switch (k) {
    case 0:
      d.t(`姓名${sep}`).e('PER', name(r)).t(`\n性别${sep}${r.pick(['男', '女'])}\n出生日期${sep}${date(r)}\n身份证号${sep}${genCnId(r)}\n手机${sep}${genMobile(r)}\n地址${sep}`).e('ADR', trainAddress(r));
      break;
    case 1:
      d.t(`收件人${sep}`).e('PER', name(r)).t(`  电话${sep}${genMobile(r)}  收货地址${sep}`).e('ADR', trainAddress(r));
      break;
    case 2:
      d.t('联系人 ').e('PER', name(r)).t(`，联系电话 ${genMobile(r)}，通讯地址 `).e('ADR', trainAddress(r)).t('。');
      break;
    case 3:
      d.t(`甲方${sep}${company(r)}\n法定代表人${sep}`).e('PER', name(r)).t(`\n住所${sep}`).e('ADR', trainAddress(r)).t(`\n统一社会信用代码${sep}${genUscc(r)}`);
      break;
    case 4:
      d.t('委托人').e('PER', name(r)).t(`（身份证号码：${genCnId(r)}）现居住于`).e('ADR', trainAddress(r)).t('，自愿委托受托人').e('PER', name(r)).t('办理相关手续。');
      break;
    case 5:
      d.t('您好').e('PER', name(r)).t(r.pick(['先生', '女士'])).t('，您的快递已送到').e('ADR', trainAddress(r)).t('，请注意查收。');
      break;
    case 6:
      d.t('我叫').e('PER', name(r)).t('，住在').e('ADR', trainAddress(r)).t(`，电话是${genMobile(r)}`);
      break;
    case 7:
      d.e('PER', name(r)).t(r.pick(['女士', '先生'])).t('：您在').e('ADR', trainAddress(r)).t('的订单已发货。');
      break;
    case 8:
      d.t(`本公司${company(r)}成立于${r.int(1995, 2022)}年，注册资本${r.int(1, 900)}万元，订单号${r.digits(16)}。`);
      break;
    case 9:
      d.t(`户名${sep}`).e('PER', name(r)).t(`\n开户行${sep}中国${r.pick(['工商', '建设', '农业'])}银行${r.pick(PROVINCES).name.replace(/省|市/, '')}分行\n卡号${sep}${genBankCard(r)}`);
      break;
    case 10:
      d.t(`股东`).e('PER', name(r)).t(`将其持有的${company(r)}${r.int(1, 60)}%股权转让给`).e('PER', name(r)).t(`，联系电话${genLandline(r)}。`);
      break;
    case 11: {
      // header + rows without inline context (CSV / TSV / pasted tables)
      const sepc = r.pick(['\t', ',', ' | ', '  ']);
      const cols = r.pick([['姓名', '电话', '地址'], ['客户', '手机', '身份证', '住址'], ['联系人', '联系方式', '邮寄地址', '备注']]);
      d.t(cols.join(sepc) + '\n');
      for (let j = 0; j < r.int(1, 4); j++) {
        cols.forEach((c, ci) => {
          if (ci) d.t(sepc);
          if (ci === 0) d.e('PER', name(r));
          else if (/地址|住址/.test(c)) d.e('ADR', trainAddress(r));
          else if (/身份证/.test(c)) d.t(genCnId(r));
          else if (c === '备注') d.t(r.pick(['已付款', '加急', '无', '周末送货']));
          else d.t(genMobile(r));
        });
        d.t('\n');
      }
      break;
    }
    default:
      d.t(`客服：请问是`).e('PER', name(r)).t(`本人吗？\n用户：是的，麻烦改一下地址，改成`).e('ADR', trainAddress(r)).t('。');
  }
  return d;
}
