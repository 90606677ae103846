/**
 * The notice to an affected individual (PIPL Art. 57): (1) the PI types concerned, the cause and the
 * possible harm; (2) the remedies taken and what the individual can do to reduce the harm; (3) how to
 * contact the handler. Rendered per individual (their own affected PI types) in zh-CN or en.
 */
import { FIELD_TYPES } from '../core/pi-types.js';
import { piLabel } from './incident-scope.js';

export interface NoticeFacts {
  organisation: string;
  kind: 'leak' | 'tampering' | 'loss';
  detectedAt: Date;
  cause: string | null;
  harm: string | null;
  remedies: string | null;
  subjectActions: string | null;
  contact: string | null;
}

const KIND = { leak: { zh: '泄露', en: 'leak' }, tampering: { zh: '篡改', en: 'tampering' }, loss: { zh: '丢失', en: 'loss' } };

/** The three parts a notice must hold; a missing one is named so that notifying cannot start without it. */
export function missingNoticeParts(f: Pick<NoticeFacts, 'cause' | 'harm' | 'remedies' | 'subjectActions' | 'contact'>): string[] {
  const out: string[] = [];
  if (!f.cause?.trim()) out.push('cause');
  if (!f.harm?.trim()) out.push('harm');
  if (!f.remedies?.trim()) out.push('remedies');
  if (!f.subjectActions?.trim()) out.push('subject_actions');
  if (!f.contact?.trim()) out.push('contact');
  return out;
}

function chinaTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export function renderNotice(f: NoticeFacts, piKeys: string[], lang: 'zh-CN' | 'en'): { subject: string; body: string } {
  const zh = lang === 'zh-CN';
  const order = (k: string) => FIELD_TYPES.indexOf(k.split(':')[0] as (typeof FIELD_TYPES)[number]);
  const labels = [...new Set([...piKeys].sort((a, b) => order(a) - order(b) || a.localeCompare(b)).map((k) => piLabel(k, zh ? 'zh' : 'en')))];
  const types = labels.length ? labels.join(zh ? '、' : ', ') : (zh ? '（待核实）' : '(being established)');
  const org = f.organisation || (zh ? '我们' : 'we');
  if (zh) {
    return {
      subject: `【${f.organisation || '个人信息安全'}】关于您个人信息安全事件的告知`,
      body: [
        '尊敬的用户：',
        `${org}于 ${chinaTime(f.detectedAt)}（北京时间）发现一起个人信息${KIND[f.kind].zh}事件，可能涉及您的个人信息。依据《中华人民共和国个人信息保护法》第五十七条，现将有关情况告知如下：`,
        `一、涉及的个人信息种类：${types}。`,
        `　　事件原因：${f.cause ?? ''}`,
        `　　可能造成的危害：${f.harm ?? ''}`,
        `二、我们已采取的补救措施：${f.remedies ?? ''}`,
        `　　您可以采取的减轻危害的措施：${f.subjectActions ?? ''}`,
        `三、联系方式：${f.contact ?? ''}`,
        `${f.organisation}`.trim(),
      ].filter(Boolean).join('\n'),
    };
  }
  return {
    subject: `${f.organisation ? `${f.organisation}: ` : ''}Notice of a personal information security incident`,
    body: [
      'Dear customer,',
      `On ${chinaTime(f.detectedAt)} (Beijing time) ${org} detected a personal information ${KIND[f.kind].en} incident that may concern your personal information. As Article 57 of the Personal Information Protection Law requires, we inform you as follows.`,
      `1. Personal information concerned: ${types}.`,
      `   Cause: ${f.cause ?? ''}`,
      `   Possible harm: ${f.harm ?? ''}`,
      `2. Remedies we have taken: ${f.remedies ?? ''}`,
      `   What you can do to reduce the harm: ${f.subjectActions ?? ''}`,
      `3. Contact: ${f.contact ?? ''}`,
      `${f.organisation}`.trim(),
    ].filter(Boolean).join('\n'),
  };
}
