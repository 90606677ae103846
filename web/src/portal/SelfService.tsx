/**
 * The self-service part of the portal: sign in with a one-time code sent to the phone or email on record,
 * then tabs for my (masked) information, my consents (withdraw), my requests, and a complaint form.
 */
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Form, Input, Popconfirm, Radio, Result, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { ApiError } from '../api';
import { useLang } from '../i18n';
import { portalCall, setCsrf, type ComplaintView, type ConsentView, type MeView, type RequestView } from './portal-api';
import { COMPLAINT_CATEGORIES, COMPLAINT_CATEGORY_LABELS, COMPLAINT_STATE_LABELS, PORTAL_REQUEST_KINDS, REQUEST_KIND_LABELS, REQUEST_STATE_LABELS } from './portal-labels';

const tenantFromUrl = () => new URLSearchParams(window.location.search).get('tenant');
const day = (s: string | null) => (s ? s.slice(0, 10) : '—');
/** A required choice without `required: true`, which antd turns into aria-required on the Select's div (not allowed there). */
const chosen = (message: string) => ({ validator: (_: unknown, v: unknown) => (v ? Promise.resolve() : Promise.reject(new Error(message))) });

function useError() {
  const { lang } = useLang();
  const [error, setError] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => setError(e instanceof ApiError ? e.text(lang) : String(e)), [lang]);
  const node = error ? <Alert type="error" showIcon role="alert" message={error} closable onClose={() => setError(null)} style={{ marginBottom: 16 }} /> : null;
  return { fail, clear: () => setError(null), node };
}

function SignIn({ tenant, onSignedIn }: { tenant: string; onSignedIn: () => void }) {
  const { tr } = useLang();
  const [channel, setChannel] = useState<'sms' | 'email'>('sms');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [sentNote, setSentNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const err = useError();
  const ask = async (v: { contact: string }) => {
    setBusy(true); err.clear();
    try {
      const r = await portalCall<{ challenge_id: string; message: string; message_en: string }>('POST', '/otp', { tenant, channel, contact: v.contact });
      setChallenge(r.challenge_id); setSentNote(tr(r.message, r.message_en));
    } catch (e) { err.fail(e); } finally { setBusy(false); }
  };
  const verify = async (v: { code: string }) => {
    if (!challenge) return;
    setBusy(true); err.clear();
    try {
      const r = await portalCall<{ csrf_token: string }>('POST', '/session', { tenant, challenge_id: challenge, code: v.code.trim() });
      setCsrf(r.csrf_token); onSignedIn();
    } catch (e) { err.fail(e); } finally { setBusy(false); }
  };
  return (
    <Card title={<span id="signin-title">{tr('登录查看和管理您的个人信息', 'Sign in to see and manage your information')}</span>} bordered={false} aria-labelledby="signin-title">
      {err.node}
      {!challenge ? (
        <Form layout="vertical" name="otp" onFinish={ask} requiredMark={false}>
          <Form.Item label={tr('接收验证码的方式', 'Send the code by')}>
            <Radio.Group value={channel} onChange={(e) => setChannel(e.target.value)} optionType="button" aria-label={tr('接收验证码的方式', 'Send the code by')}
              options={[{ label: tr('短信', 'SMS'), value: 'sms' }, { label: tr('电子邮件', 'Email'), value: 'email' }]} />
          </Form.Item>
          <Form.Item name="contact" label={channel === 'sms' ? tr('登记的手机号码', 'Mobile number on record') : tr('登记的电子邮箱', 'Email on record')} rules={[{ required: true, message: tr('请填写', 'Required') }]}>
            <Input autoComplete={channel === 'sms' ? 'tel' : 'email'} inputMode={channel === 'sms' ? 'tel' : 'email'} maxLength={254} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>{tr('获取验证码', 'Send me a code')}</Button>
        </Form>
      ) : (
        <Form layout="vertical" name="code" onFinish={verify} requiredMark={false}>
          <Alert type="info" showIcon message={sentNote} style={{ marginBottom: 16 }} />
          <Form.Item name="code" label={tr('6 位验证码', '6-digit code')} rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: tr('请输入 6 位数字', 'Enter the 6 digits') }]}>
            <Input autoComplete="one-time-code" inputMode="numeric" maxLength={8} autoFocus />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy}>{tr('登录', 'Sign in')}</Button>
            <Button onClick={() => { setChallenge(null); err.clear(); }}>{tr('重新获取', 'Ask for a new code')}</Button>
          </Space>
        </Form>
      )}
    </Card>
  );
}

function MyData() {
  const { tr, lang } = useLang();
  const [me, setMe] = useState<MeView | null>(null);
  const err = useError();
  useEffect(() => { portalCall<MeView>('GET', '/me').then(setMe, err.fail); }, []); // eslint-disable-line react-hooks/exhaustive-deps
  if (err.node) return err.node;
  if (!me) return <Typography.Text>{tr('加载中…', 'Loading…')}</Typography.Text>;
  if (!me.collections.length) return <Empty description={tr('我们没有保存您的个人信息', 'We hold no personal information about you')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{tr('为保护您的信息，以下内容已部分隐藏。如需完整副本，请在“申请”中提交“复制我的个人信息”。', 'To protect you, values are partly hidden. For a full copy, file a "Get a copy" request under Requests.')}</Typography.Paragraph>
      {me.collections.flatMap((c) => c.records.map((r) => (
        <Card key={r.id} size="small" title={c.title ?? c.name}>
          <Descriptions column={1} size="small" items={r.fields.map((f) => ({ key: f.name, label: lang === 'zh' ? f.label_zh : f.label_en, children: <span data-field={f.name}>{f.value}</span> }))} />
        </Card>
      )))}
    </Space>
  );
}

function MyConsents() {
  const { tr, lang } = useLang();
  const [rows, setRows] = useState<ConsentView[] | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const err = useError();
  const load = useCallback(() => portalCall<{ consents: ConsentView[] }>('GET', '/consents').then((r) => setRows(r.consents), err.fail), []); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, [load]);
  const withdraw = async (c: ConsentView) => {
    try { await portalCall('POST', `/consents/${encodeURIComponent(c.purpose)}/withdraw`, {}); setDone(lang === 'zh' ? `已撤回“${c.title}”的同意` : `Consent to "${c.title_en ?? c.title}" withdrawn`); await load(); } catch (e) { err.fail(e); }
  };
  return (
    <>
      {err.node}
      {done && <Alert type="success" showIcon role="status" message={done} style={{ marginBottom: 16 }} />}
      <Typography.Paragraph type="secondary">{tr('撤回同意后，我们将停止基于该同意的处理；撤回不影响撤回前已进行的处理（《个人信息保护法》第十五条）。', 'Once withdrawn we stop processing based on that consent; earlier processing is not affected (PIPL Art. 15).')}</Typography.Paragraph>
      <Table<ConsentView> rowKey="purpose" loading={!rows} dataSource={rows ?? []} pagination={false}
        locale={{ emptyText: tr('没有同意记录', 'No consents on record') }}
        columns={[
          { title: tr('目的', 'Purpose'), render: (_, c) => (lang === 'zh' ? c.title : c.title_en ?? c.title) },
          { title: tr('状态', 'State'), render: (_, c) => (c.state === 'granted' ? <Tag color="green">{tr('已同意', 'Granted')}</Tag> : <Tag>{tr('已撤回', 'Withdrawn')}</Tag>) },
          { title: tr('同意时间', 'Granted'), render: (_, c) => day(c.granted_at) },
          { title: tr('撤回时间', 'Withdrawn'), render: (_, c) => day(c.withdrawn_at) },
          { title: tr('操作', 'Action'), render: (_, c) => c.state === 'granted' && (
            <Popconfirm title={tr('确定撤回该同意吗？', 'Withdraw this consent?')} okText={tr('撤回', 'Withdraw')} cancelText={tr('取消', 'Cancel')} onConfirm={() => withdraw(c)}>
              <Button danger size="small" aria-label={`${tr('撤回同意', 'Withdraw consent')}: ${lang === 'zh' ? c.title : c.title_en ?? c.title}`}>{tr('撤回', 'Withdraw')}</Button>
            </Popconfirm>
          ) },
        ]} />
    </>
  );
}

function MyRequests() {
  const { tr, lang } = useLang();
  const [rows, setRows] = useState<RequestView[] | null>(null);
  const [created, setCreated] = useState<RequestView | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const err = useError();
  const load = useCallback(() => portalCall<{ requests: RequestView[] }>('GET', '/requests').then((r) => setRows(r.requests), err.fail), []); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, [load]);
  const submit = async (v: { kind: string; details?: string }) => {
    setBusy(true); err.clear();
    try { const r = await portalCall<RequestView>('POST', '/requests', { kind: v.kind, ...(v.details?.trim() ? { details: v.details.trim() } : {}) }); setCreated(r); form.resetFields(); await load(); } catch (e) { err.fail(e); } finally { setBusy(false); }
  };
  const kindLabel = (k: string) => REQUEST_KIND_LABELS[k]?.[lang] ?? k;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Card size="small" title={tr('提交新申请', 'New request')}>
        {err.node}
        {created && <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} message={tr(`已受理，我们将在 ${created.due} 前答复`, `Received; we will reply by ${created.due}`)} />}
        <Form form={form} layout="vertical" name="request" onFinish={submit} requiredMark={false}>
          <Form.Item name="kind" label={tr('您要行使的权利', 'The right you want to exercise')} rules={[chosen(tr('请选择', 'Choose one'))]}>
            <Select options={PORTAL_REQUEST_KINDS.map((k) => ({ value: k, label: kindLabel(k) }))} />
          </Form.Item>
          <Form.Item name="details" label={tr('补充说明（选填）', 'Details (optional)')}>
            <Input.TextArea rows={3} maxLength={2000} showCount />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>{tr('提交申请', 'Submit')}</Button>
        </Form>
      </Card>
      <Table<RequestView> rowKey="id" loading={!rows} dataSource={rows ?? []} pagination={false} locale={{ emptyText: tr('还没有申请', 'No requests yet') }}
        columns={[
          { title: tr('类型', 'Kind'), render: (_, r) => kindLabel(r.kind) },
          { title: tr('状态', 'State'), render: (_, r) => <Tag color={r.state === 'completed' ? 'green' : r.state === 'rejected' ? 'red' : 'blue'}>{REQUEST_STATE_LABELS[r.state]?.[lang] ?? r.state}</Tag> },
          { title: tr('提交时间', 'Received'), render: (_, r) => day(r.received_at) },
          { title: tr('答复期限', 'Due by'), render: (_, r) => r.due },
          { title: tr('说明', 'Note'), render: (_, r) => r.reason ?? r.resolution ?? '' },
        ]} />
    </Space>
  );
}

function MyComplaints({ version }: { version: number }) {
  const { tr, lang } = useLang();
  const [rows, setRows] = useState<ComplaintView[] | null>(null);
  const err = useError();
  useEffect(() => { portalCall<{ complaints: ComplaintView[] }>('GET', '/complaints').then((r) => setRows(r.complaints), err.fail); }, [version]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <>
      {err.node}
      <Table<ComplaintView> rowKey="id" loading={!rows} dataSource={rows ?? []} pagination={false} locale={{ emptyText: tr('还没有投诉', 'No complaints yet') }}
        expandable={{ rowExpandable: (c) => c.replies.length > 0 || Boolean(c.resolution), expandedRowRender: (c) => (
          <Space direction="vertical">
            {c.replies.map((m) => <Typography.Paragraph key={m.at} style={{ marginBottom: 0 }}><Typography.Text strong>{day(m.at)} {tr('答复', 'Reply')}：</Typography.Text>{m.body}</Typography.Paragraph>)}
            {c.resolution && <Typography.Paragraph style={{ marginBottom: 0 }}><Typography.Text strong>{tr('处理结果', 'Outcome')}：</Typography.Text>{c.resolution}</Typography.Paragraph>}
          </Space>
        ) }}
        columns={[
          { title: tr('标题', 'Summary'), dataIndex: 'summary' },
          { title: tr('类别', 'Category'), render: (_, c) => COMPLAINT_CATEGORY_LABELS[c.category as (typeof COMPLAINT_CATEGORIES)[number]]?.[lang] ?? c.category },
          { title: tr('状态', 'State'), render: (_, c) => <Tag color={c.state === 'closed' ? 'green' : c.state === 'replied' ? 'cyan' : 'blue'}>{COMPLAINT_STATE_LABELS[c.state]?.[lang] ?? c.state}</Tag> },
          { title: tr('提交时间', 'Received'), render: (_, c) => day(c.received_at) },
          { title: tr('答复期限', 'Reply by'), dataIndex: 'sla_due' },
        ]} />
    </>
  );
}

function Complaint() {
  const { tr, lang } = useLang();
  const [done, setDone] = useState<{ id: string; sla_due: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const err = useError();
  const submit = async (v: { category: string; summary: string; description: string }) => {
    setBusy(true); err.clear();
    try { setDone(await portalCall('POST', '/complaints', v)); setVersion((x) => x + 1); } catch (e) { err.fail(e); } finally { setBusy(false); }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Card size="small" title={tr('提交投诉', 'File a complaint')}>
        {done ? <Result status="success" title={tr('投诉已提交', 'Complaint received')} subTitle={tr(`编号 ${done.id}，我们将在 ${done.sla_due} 前答复。`, `Reference ${done.id}; we will reply by ${done.sla_due}.`)} extra={<Button onClick={() => setDone(null)}>{tr('再提交一条', 'File another')}</Button>} /> : (
          <>
            {err.node}
            <Form layout="vertical" name="complaint" onFinish={submit} requiredMark={false}>
              <Form.Item name="category" label={tr('投诉类别', 'Category')} rules={[chosen(tr('请选择', 'Choose one'))]}>
                <Select options={COMPLAINT_CATEGORIES.map((c) => ({ value: c, label: COMPLAINT_CATEGORY_LABELS[c][lang] }))} />
              </Form.Item>
              <Form.Item name="summary" label={tr('标题', 'Summary')} rules={[{ required: true, whitespace: true, message: tr('请填写', 'Required') }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="description" label={tr('具体情况', 'What happened')} rules={[{ required: true, whitespace: true, message: tr('请填写', 'Required') }]}>
                <Input.TextArea rows={5} maxLength={20000} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>{tr('提交投诉', 'Submit complaint')}</Button>
            </Form>
          </>
        )}
      </Card>
      <MyComplaints version={version} />
    </Space>
  );
}

export function SelfService() {
  const { tr } = useLang();
  const tenant = tenantFromUrl();
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  useEffect(() => {
    portalCall<{ csrf_token: string }>('GET', '/session').then((r) => { setCsrf(r.csrf_token); setSignedIn(true); }, () => { setCsrf(null); setSignedIn(false); });
  }, []);
  if (!tenant) return <Alert type="warning" showIcon message={tr('请通过企业提供的链接进入在线服务（链接中包含企业标识）。', 'Open the online service from the link your company provides (it names the company).')} />;
  if (signedIn === null) return null;
  if (!signedIn) return <SignIn tenant={tenant} onSignedIn={() => setSignedIn(true)} />;
  const logout = async () => { try { await portalCall('POST', '/logout', {}); } catch { /* the session may already be gone */ } setCsrf(null); setSignedIn(false); };
  return (
    <Card bordered={false} title={tr('我的个人信息服务', 'My personal information')} extra={<Button onClick={logout}>{tr('退出', 'Sign out')}</Button>}>
      <Tabs items={[
        { key: 'me', label: tr('我的信息', 'My information'), children: <MyData /> },
        { key: 'consents', label: tr('同意', 'Consents'), children: <MyConsents /> },
        { key: 'requests', label: tr('申请', 'Requests'), children: <MyRequests /> },
        { key: 'complaint', label: tr('投诉', 'Complaint'), children: <Complaint /> },
      ]} />
    </Card>
  );
}
