/** Consents: one subject's consents (grant with guardian for minors, withdraw, history) and, across subjects, those awaiting re-consent. */
import { useState } from 'react';
import { App, Button, Card, Col, Collapse, Form, Input, Modal, Popconfirm, Row, Select, Space, Statistic, Switch, Tabs, Tag, Timeline, Typography } from 'antd';
import { HistoryOutlined, PlusOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { del, get, post, type Consent, type Notice, type Purpose } from '../../api';
import { useLang } from '../../i18n';
import { CHANNELS, CHANNEL_LABELS, GUARDIAN_RELATIONS, GUARDIAN_RELATION_LABELS, SEPARATE_RULE_LABELS } from '../../labels';
import { EmptyState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

const ID_RE = /^[a-z]{2,8}_[A-Za-z0-9]{8,64}$/;
interface ConsentEvent { id: string; purpose: string; event: string; notice: string | null; notice_version: number | null; channel: string | null; separate: boolean | null; guardian_relation: string | null; minor: boolean | null; at: string }
interface Summary { purpose: string; title: string | null; title_en: string | null; reconsent_mode: string | null; granted: number; withdrawn: number; needs_reconsent: number; minors: number }

function SubjectConsents({ purposes }: { purposes: Purpose[] }) {
  const { tr, lang, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [subject, setSubject] = useState<string | null>(null);
  const list = useServerList<Consent>('/consents', 'consents', { sort: 'purpose', order: 'asc', base: { subject_id: subject ?? undefined } }, Boolean(subject));
  const notices = useLoad((signal) => get<{ notices: Notice[] }>('/notices', { signal }));
  const [open, setOpen] = useState(false);
  const [history, setHistory] = useState<ConsentEvent[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const minor = Form.useWatch('minor', form);

  const grant = async (v: Record<string, any>) => {
    const [notice, version] = String(v.notice).split('@');
    setBusy(true);
    try {
      const guardian = v.guardian_relation ? Object.fromEntries(Object.entries({ name: v.guardian_name, relation: v.guardian_relation, subject_id: v.guardian_subject_id, verification: v.guardian_verification }).filter(([, x]) => x)) : undefined;
      const age = v.minor || v.birth_date ? Object.fromEntries(Object.entries({ under_14: v.minor || undefined, birth_date: v.birth_date }).filter(([, x]) => x)) : undefined;
      const r = await post<{ needs_reconsent: boolean; minor: boolean }>(`/subjects/${subject}/consents`, {
        purpose: v.purpose, notice, notice_version: Number(version), channel: v.channel, ...(v.separate ? { separate: true } : {}), ...(v.evidence ? { evidence: v.evidence } : {}),
        ...(guardian ? { guardian } : {}), ...(age ? { age_evidence: age } : {}),
      });
      message.success(tr('已记录同意', 'Consent recorded') + (r.minor ? tr('（未成年人，监护人同意）', ' (minor, by a guardian)') : ''));
      if (r.needs_reconsent) message.warning(tr('该版本已被重大变更取代，此同意仍需重新取得。', 'That version was superseded by a material change; this consent still needs re-consent.'));
      setOpen(false); form.resetFields(); list.reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const withdraw = async (purpose: string) => {
    try { await del(`/subjects/${subject}/consents/${purpose}`); message.success(tr('已撤回，立即生效', 'Withdrawn, effective at once')); list.reload(); } catch (e) { message.error(errText(e)); }
  };
  const showHistory = async () => { try { setHistory((await get<{ events: ConsentEvent[] }>(`/subjects/${subject}/consent-events`)).events); } catch (e) { message.error(errText(e)); } };
  const purposeLabel = (p: string) => { const x = purposes.find((y) => y.name === p); return x ? `${lang === 'en' && x.title_en ? x.title_en : x.title} (${p})` : p; };

  return <>
    <Form layout="inline" name="subject" onFinish={(v: { subject: string }) => setSubject(v.subject.trim())} style={{ marginBottom: 16 }}>
      <Form.Item name="subject" label={tr('主体 ID', 'Subject ID')} rules={[{ required: true, pattern: ID_RE, message: tr('形如 sub_xxxxxxxx（可在客户查询结果中复制）', 'Like sub_xxxxxxxx (copy it from a lookup result)') }]}>
        <Input style={{ width: 320 }} placeholder="sub_…" allowClear />
      </Form.Item>
      <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>{tr('查看', 'Show')}</Button>
      {subject && <Button style={{ marginLeft: 8 }} icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('记录同意', 'Record consent')}</Button>}
      {subject && <Button style={{ marginLeft: 8 }} icon={<HistoryOutlined />} onClick={() => void showHistory()}>{tr('同意记录', 'History')}</Button>}
    </Form>
    {!subject ? <EmptyState title={tr('输入主体 ID 查看其同意记录', 'Enter a subject ID to see their consents')} />
      : (
        <ServerTable<Consent> list={list} rowKey="purpose" empty={tr('此人没有同意记录', 'No consents recorded for this person')}
          columns={[
            { title: tr('目的', 'Purpose'), dataIndex: 'purpose', render: purposeLabel, ...list.sortCol('purpose') },
            { title: tr('状态', 'State'), dataIndex: 'state', ...list.filterCol('state', [{ text: tr('已同意', 'granted'), value: 'granted' }, { text: tr('已撤回', 'withdrawn'), value: 'withdrawn' }], { multiple: false }), render: (s: string, c) => <Space size={4}>{s === 'granted' ? <Tag color="green">{tr('已同意', 'granted')}</Tag> : <Tag color="default">{s === 'withdrawn' ? tr('已撤回', 'withdrawn') : s}</Tag>}{c.needs_reconsent && <Tag color="orange">{tr('需重新同意', 'needs re-consent')}</Tag>}</Space> },
            { title: tr('告知文本', 'Notice'), render: (_, c) => `${c.notice} v${c.notice_version}` },
            { title: tr('渠道', 'Channel'), dataIndex: 'channel', render: (c: string) => lbl(CHANNEL_LABELS[c as keyof typeof CHANNEL_LABELS], c) },
            { title: tr('单独同意', 'Separate'), dataIndex: 'separate', render: (s: boolean) => (s ? tr('是', 'yes') : '—') },
            { title: tr('未成年人 / 监护人', 'Minor / guardian'), render: (_, c) => (c.minor ? <Space size={4}><Tag color="purple">{tr('未满14周岁', 'under 14')}</Tag>{c.guardian ?? c.guardian_subject_id} {c.guardian_relation && `(${lbl(GUARDIAN_RELATION_LABELS[c.guardian_relation as keyof typeof GUARDIAN_RELATION_LABELS], c.guardian_relation)})`}</Space> : c.guardian ?? '—') },
            { title: tr('同意时间', 'Granted'), dataIndex: 'granted_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('granted_at') },
            { title: tr('撤回时间', 'Withdrawn'), dataIndex: 'withdrawn_at', render: (t: string | null) => fmtTime(t, lang), ...list.sortCol('withdrawn_at') },
            { title: tr('操作', 'Action'), render: (_, c) => (c.state === 'granted' ? <Popconfirm title={tr('撤回后立即停止基于同意的处理。确定？', 'Processing based on this consent stops at once. Withdraw?')} onConfirm={() => void withdraw(c.purpose)} okText={tr('撤回', 'Withdraw')} cancelText={tr('取消', 'Cancel')}><Button size="small" danger>{tr('撤回', 'Withdraw')}</Button></Popconfirm> : null) },
          ]} />
      )}
    <Modal title={tr('同意与撤回记录', 'Grants and withdrawals')} open={Boolean(history)} onCancel={() => setHistory(null)} footer={null}>
      {history && (history.length ? <Timeline items={history.map((e) => ({ key: e.id, color: e.event === 'granted' ? 'green' : 'gray', children: <>
        <Typography.Text strong>{e.event === 'granted' ? tr('同意', 'Granted') : tr('撤回', 'Withdrawn')}</Typography.Text> · {purposeLabel(e.purpose)}
        <div><Typography.Text type="secondary">{fmtTime(e.at, lang)}{e.notice ? ` · ${e.notice} v${e.notice_version}` : ''}{e.separate ? tr(' · 单独同意', ' · separate') : ''}{e.minor ? tr(' · 监护人同意', ' · by guardian') : ''}</Typography.Text></div>
      </> }))} /> : <EmptyState title={tr('没有记录', 'Nothing recorded')} />)}
    </Modal>
    <Modal title={tr('记录同意', 'Record consent')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('记录', 'Record')} destroyOnClose width={640}>
      <Typography.Paragraph type="secondary">{tr('主体', 'Subject')}: <Typography.Text code>{subject}</Typography.Text></Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={grant} name="grant-consent" initialValues={{ channel: 'web' }}>
        <Form.Item name="purpose" label={tr('目的', 'Purpose')} rules={[{ required: true }]}>
          <Select options={purposes.map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))} />
        </Form.Item>
        <Form.Item name="notice" label={tr('告知文本版本', 'Notice version')} rules={[{ required: true }]}>
          <Select notFoundContent={tr('请先发布告知文本', 'Publish a notice first')} options={(notices.data?.notices ?? []).map((n) => ({ value: `${n.name}@${n.version}`, label: `${n.name} v${n.version} (${n.language})` }))} />
        </Form.Item>
        <Form.Item name="channel" label={tr('渠道', 'Channel')}><Select options={CHANNELS.map((c) => ({ value: c, label: lbl(CHANNEL_LABELS[c], c) }))} /></Form.Item>
        <Form.Item name="separate" label={tr('单独同意（敏感个人信息、对外提供、公开、出境、未成年人）', 'Separate consent (sensitive PI, provision, disclosure, export, minors)')} valuePropName="checked"><Switch /></Form.Item>
        <Form.Item name="evidence" label={tr('证据（可选）', 'Evidence (optional)')}><Input placeholder={tr('例如：签字表单编号', 'e.g. signed form number')} /></Form.Item>
        <Collapse items={[{ key: 'minor', label: tr('未满十四周岁的未成年人（PIPL 第31条）', 'Minor under 14 (PIPL Art. 31)'), children: <>
          <Typography.Paragraph type="secondary">{tr('年龄取自库中的身份证号或出生日期；也可在此声明。未满14周岁须由父母或其他监护人同意，且按敏感个人信息取得单独同意。', 'The age comes from the ID number or birth date held in the vault, or is stated here. Under 14, a parent or guardian consents, separately (sensitive PI).')}</Typography.Paragraph>
          <Space align="start" wrap>
            <Form.Item name="minor" label={tr('声明未满14周岁', 'State: under 14')} valuePropName="checked"><Switch /></Form.Item>
            <Form.Item name="birth_date" label={tr('出生日期（可选）', 'Birth date (optional)')} rules={[{ pattern: /^\d{4}-\d{2}-\d{2}$/, message: 'YYYY-MM-DD' }]}><Input placeholder="2015-03-08" style={{ width: 160 }} /></Form.Item>
          </Space>
          <Space align="start" wrap>
            <Form.Item name="guardian_relation" label={tr('监护人关系', 'Guardian relation')} rules={[{ required: Boolean(minor), message: tr('未成年人须填写', 'required for a minor') }]}><Select allowClear style={{ width: 160 }} options={GUARDIAN_RELATIONS.map((r) => ({ value: r, label: GUARDIAN_RELATION_LABELS[r][lang] }))} /></Form.Item>
            <Form.Item name="guardian_name" label={tr('监护人姓名', 'Guardian name')}><Input style={{ width: 160 }} /></Form.Item>
            <Form.Item name="guardian_subject_id" label={tr('监护人主体 ID（可选）', 'Guardian subject ID (optional)')} rules={[{ pattern: ID_RE, message: 'sub_…' }]}><Input style={{ width: 220 }} placeholder="sub_…" /></Form.Item>
          </Space>
          <Form.Item name="guardian_verification" label={tr('监护关系核验方式', 'How the guardianship was verified')}><Input placeholder={tr('例如：户口簿、出生医学证明', 'e.g. household register, birth certificate')} /></Form.Item>
        </> }]} />
      </Form>
    </Modal>
  </>;
}

function Reconsent({ purposes }: { purposes: Purpose[] }) {
  const { tr, lang } = useLang();
  const summary = useLoad((signal) => get<{ purposes: Summary[] }>('/consents/summary', { signal }));
  const list = useServerList<Consent>('/consents', 'consents', { sort: 'granted_at', order: 'desc', base: { needs_reconsent: 'true' } });
  const purpose = list.params.filters.purpose;
  const setPurpose = (v: string | undefined) => list.setFilter('purpose', v);
  if (isMissingRoute(list.error)) return <EmptyState title={tr('此服务器不提供跨主体的同意检索', 'This server cannot search consents across subjects')} />;
  return <>
    <Row gutter={16} style={{ marginBottom: 16 }}>
      {(summary.data?.purposes ?? []).map((s) => (
        <Col key={s.purpose} xs={24} sm={12} lg={6}>
          <Card size="small" hoverable onClick={() => setPurpose(s.purpose)} title={(lang === 'en' && s.title_en ? s.title_en : s.title) ?? s.purpose}
            extra={<Tag color={s.reconsent_mode === 'warn' ? 'gold' : 'red'}>{s.reconsent_mode === 'warn' ? tr('提醒', 'warn') : tr('阻止', 'block')}</Tag>}>
            <Space size="large"><Statistic title={tr('有效', 'Granted')} value={s.granted} /><Statistic title={tr('待重新同意', 'Re-consent')} value={s.needs_reconsent} valueStyle={s.needs_reconsent ? { color: '#d46b08' } : undefined} /><Statistic title={tr('已撤回', 'Withdrawn')} value={s.withdrawn} /></Space>
          </Card>
        </Col>
      ))}
    </Row>
    <Space style={{ marginBottom: 12 }}>
      <Select allowClear placeholder={tr('目的', 'Purpose')} aria-label={tr('按目的筛选', 'Filter by purpose')} style={{ width: 240 }} value={purpose} onChange={(v) => setPurpose(v)}
        options={purposes.map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))} />
      <Button icon={<ReloadOutlined />} onClick={() => { list.reload(); summary.reload(); }} aria-label={tr('刷新', 'Refresh')} />
    </Space>
    {(
      <ServerTable<Consent> list={list} rowKey={(c) => `${c.subject_id}|${c.purpose}`}
        empty={tr('没有待重新同意的个人', 'Nobody awaits re-consent')} emptyHint={tr('告知文本对某一目的发生重大变更后，此前版本下同意的个人会列在这里。', 'After a material change of a notice for a purpose, the people who consented under earlier versions are listed here.')}
        columns={[
          { title: tr('主体', 'Subject'), dataIndex: 'subject_id', render: (s: string) => <Typography.Text code copyable>{s}</Typography.Text>, ...list.sortCol('subject_id') },
          { title: tr('目的', 'Purpose'), dataIndex: 'purpose', ...list.sortCol('purpose') },
          { title: tr('同意时的版本', 'Consented to'), render: (_, c) => `${c.notice} v${c.notice_version}` },
          { title: tr('变更版本', 'Changed in'), dataIndex: 'reconsent_since', render: (v: number | null) => (v ? `v${v}` : '—') },
          { title: tr('单独同意', 'Separate'), dataIndex: 'separate', render: (s: boolean) => (s ? tr('是', 'yes') : '—') },
          { title: tr('同意时间', 'Granted'), dataIndex: 'granted_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('granted_at') },
        ]} />
    )}
  </>;
}

export default function Consents() {
  const { tr, lbl } = useLang();
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const p = purposes.data?.purposes ?? [];
  return (
    <Card title={tr('同意管理', 'Consents')}>
      <Typography.Paragraph type="secondary">{tr(`需要单独同意的情形：${Object.values(SEPARATE_RULE_LABELS).map((l) => l.zh).join('、')}。撤回立即生效。`, `Separate consent is needed for: ${Object.keys(SEPARATE_RULE_LABELS).map((k) => lbl(SEPARATE_RULE_LABELS[k], k)).join(', ')}. Withdrawal takes effect at once.`)}</Typography.Paragraph>
      <Tabs items={[
        { key: 'subject', label: tr('个人的同意', 'Consents of a subject'), children: <SubjectConsents purposes={p} /> },
        { key: 'reconsent', label: tr('待重新同意', 'Awaiting re-consent'), children: <Reconsent purposes={p} /> },
      ]} />
    </Card>
  );
}
