/** PI protection impact assessments: list, guided questionnaire, risk sources, approval, reports. */
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Descriptions, Divider, Drawer, Form, Input, InputNumber, Modal, Select, Space, Steps, Switch, Tag, Typography } from 'antd';
import { DeleteOutlined, FilePdfOutlined, FileWordOutlined, MinusCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { del, get, patch, post } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { EmptyState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';
import { downloadFile, LevelTag } from './governance-shared';
import { ServerTable, useServerList } from '../server-list';

interface Option { value: string; zh: string; en: string }
interface Question { id: string; zh: string; en: string; kind: 'text' | 'number' | 'boolean' | 'choice' | 'multi'; required: boolean; options?: Option[] }
interface Step { id: string; zh: string; en: string; clause: string; hint_zh: string; hint_en: string; questions: Question[] }
interface Questionnaire { steps: Step[]; risk_source_categories: Option[]; rights_impacts: Option[]; triggers: Option[] }
interface Scale { value: number; zh: string; en: string }
interface Matrix { likelihood: Scale[]; impact: Scale[]; levels: Array<{ level: string; zh: string; en: string; min_score: number }>; acceptable_level: string }
interface RiskSource { id?: string; category: string; description: string; rights_impacts?: string[]; likelihood: number; impact: number; mitigation?: string; residual_likelihood?: number; residual_impact?: number; score?: number; level?: string; residual_level?: string; register?: boolean }
interface Assessment {
  id: string; title: string; activity: string; triggers: string[]; state: string; answers: Record<string, unknown>; risk_sources: RiskSource[]; matrix: Matrix;
  overall_level: string | null; residual_level: string | null; residual_acceptable: boolean | null; created_at: string; submitted_at: string | null; decided_by: string | null; decided_at: string | null;
  decision_note: string | null; locked_until: string | null; deletable: boolean; next_review: string | null; review_due: boolean; superseded_by: string | null;
}

const STATES: Record<string, { zh: string; en: string; color: string }> = {
  draft: { zh: '草稿', en: 'draft', color: 'default' }, submitted: { zh: '待审批', en: 'submitted', color: 'blue' },
  approved: { zh: '已批准', en: 'approved', color: 'green' }, rejected: { zh: '未通过', en: 'rejected', color: 'red' },
};

export default function Assessments() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Assessment>('/assessments', 'assessments', { sort: 'created_at', order: 'desc' });
  const { error, reload } = list;
  const q = useLoad((signal) => get<Questionnaire>('/assessments/questionnaire', { signal }));
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();

  if (isMissingRoute(error)) return <Card title={tr('影响评估', 'Impact assessments')}><EmptyState title={tr('此服务器尚未提供影响评估功能', 'Impact assessments are not available on this server')} /></Card>;
  const create = async (v: { title: string; activity: string; triggers?: string[] }) => {
    try {
      const a = await post<Assessment>('/assessments', { title: v.title, activity: v.activity, triggers: v.triggers ?? [] });
      setCreating(false); form.resetFields(); reload(); setOpen(a.id);
    } catch (e) { message.error(errText(e)); }
  };
  const triggerLabel = (t: string) => { const o = q.data?.triggers.find((x) => x.value === t); return o ? o[lang] : t; };

  return (
    <Card title={tr('个人信息保护影响评估', 'PI protection impact assessments')} extra={<Space>
      <Select allowClear placeholder={tr('状态', 'State')} style={{ width: 140 }} value={list.params.filters.state} onChange={(v) => list.setFilter('state', v)} aria-label={tr('按状态筛选', 'Filter by state')} options={Object.entries(STATES).map(([k, v]) => ({ value: k, label: v[lang] }))} />
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{tr('发起评估', 'New assessment')}</Button>
    </Space>}>
      {(
        <ServerTable<Assessment> list={list} rowKey="id" onRow={(r) => ({ onClick: () => setOpen(r.id), onKeyDown: (e) => { if (e.key === 'Enter') setOpen(r.id); }, tabIndex: 0, style: { cursor: 'pointer' } })}
          empty={tr('还没有评估', 'No assessments yet')} emptyHint={tr('处理敏感个人信息、自动化决策、委托处理、向他人提供、公开或出境前，须先完成评估（个人信息保护法第55条）。', 'Sensitive PI, automated decisions, entrusting, provision, disclosure and export need an assessment first (PIPL Art. 55).')}
          columns={[
            { title: tr('名称', 'Title'), dataIndex: 'title', ...list.sortCol('title') },
            { title: tr('处理活动', 'Activity'), dataIndex: 'activity', render: (a: string) => <Typography.Text code>{a}</Typography.Text> },
            { title: tr('触发情形', 'Triggers'), dataIndex: 'triggers', render: (ts: string[]) => ts.map((t) => <Tag key={t}>{triggerLabel(t)}</Tag>) },
            { title: tr('状态', 'State'), dataIndex: 'state', ...list.sortCol('state'), render: (s: string, r) => <Space size={4}><Tag color={STATES[s]?.color}>{STATES[s]?.[lang] ?? s}</Tag>{r.superseded_by && <Tag>{tr('已被替代', 'superseded')}</Tag>}{r.review_due && <Tag color="orange">{tr('待复评', 'review due')}</Tag>}</Space> },
            { title: tr('风险/残余', 'Risk / residual'), render: (_: unknown, r) => <Space size={2}><LevelTag level={r.overall_level} /><LevelTag level={r.residual_level} /></Space> },
            { title: tr('复评日期', 'Next review'), dataIndex: 'next_review', render: (d: string | null) => d ?? '—', ...list.sortCol('next_review') },
            { title: tr('保存至', 'Kept until'), dataIndex: 'locked_until', render: (d: string | null) => d ?? '—' },
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('created_at') },
          ]} />
      )}
      <Modal title={tr('发起个人信息保护影响评估', 'New impact assessment')} open={creating} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={tr('创建', 'Create')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-assessment">
          <Form.Item name="title" label={tr('评估名称', 'Title')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="activity" label={tr('处理活动（名称或编号）', 'Processing activity (name or id)')} rules={[{ required: true }]}><Input placeholder="membership_points" /></Form.Item>
          <Form.Item name="triggers" label={tr('触发情形', 'Triggers')}><Select mode="multiple" options={(q.data?.triggers ?? []).map((t) => ({ value: t.value, label: t[lang] }))} /></Form.Item>
        </Form>
      </Modal>
      {open && q.data && <AssessmentDrawer id={open} q={q.data} onClose={() => { setOpen(null); reload(); }} />}
    </Card>
  );
}

function AssessmentDrawer({ id, q, onClose }: { id: string; q: Questionnaire; onClose: () => void }) {
  const { tr, lang } = useLang();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const errText = useErrorText();
  const [a, setA] = useState<Assessment | null>(null);
  const [step, setStep] = useState(0);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const [decision, setDecision] = useState<'approve' | 'return' | 'reject' | null>(null);
  const [note, setNote] = useState('');
  const [acceptResidual, setAcceptResidual] = useState(false);

  const load = async () => {
    try { const x = await get<Assessment>(`/assessments/${id}`); setA(x); form.setFieldsValue({ answers: x.answers, risk_sources: x.risk_sources }); } catch (e) { message.error(errText(e)); }
  };
  useEffect(() => { void load(); /* eslint-disable-next-line react-hooks/exhaustive-deps */ }, [id]);
  if (!a) return <Drawer open onClose={onClose} width={960} loading />;
  const editable = a.state === 'draft';
  const steps = [...q.steps];
  const scale = (axis: 'likelihood' | 'impact') => a.matrix[axis].map((s) => ({ value: s.value, label: `${s.value} ${s[lang]}` }));

  const save = async () => {
    setBusy(true);
    try {
      const v = form.getFieldsValue(true) as { answers?: Record<string, unknown>; risk_sources?: RiskSource[] };
      const answers = Object.fromEntries(Object.entries(v.answers ?? {}).filter(([, x]) => x !== undefined && x !== ''));
      const x = await patch<Assessment>(`/assessments/${id}`, { answers, risk_sources: (v.risk_sources ?? []).filter(Boolean).map(({ score: _s, level: _l, residual_level: _r, ...rest }) => rest) });
      setA(x); message.success(tr('已保存', 'Saved'));
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const act = async (fn: () => Promise<Assessment>, ok: string) => {
    setBusy(true);
    try { const x = await fn(); setA(x); message.success(ok); } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const report = (format: 'pdf' | 'docx') => downloadFile(`/assessments/${id}/report?format=${format}`, `assessment-${id}.${format}`).catch((e) => message.error(errText(e)));

  return (
    <Drawer open onClose={onClose} width={960} title={<Space>{a.title}<Tag color={STATES[a.state]?.color}>{STATES[a.state]?.[lang]}</Tag></Space>} extra={<Space>
      <Button icon={<FilePdfOutlined />} onClick={() => void report('pdf')}>{tr('报告 PDF', 'Report PDF')}</Button>
      <Button icon={<FileWordOutlined />} onClick={() => void report('docx')}>DOCX</Button>
      {a.deletable && <Button danger icon={<DeleteOutlined />} onClick={() => modal.confirm({ title: tr('删除该评估？', 'Delete this assessment?'), onOk: async () => { try { await del(`/assessments/${id}`); onClose(); } catch (e) { message.error(errText(e)); } } })} />}
    </Space>}>
      <Descriptions size="small" column={3} items={[
        { key: 'a', label: tr('处理活动', 'Activity'), children: a.activity },
        { key: 't', label: tr('触发情形', 'Triggers'), children: a.triggers.map((t) => <Tag key={t}>{q.triggers.find((x) => x.value === t)?.[lang] ?? t}</Tag>) },
        { key: 'r', label: tr('固有/残余风险', 'Inherent / residual'), children: <Space size={2}><LevelTag level={a.overall_level} /><LevelTag level={a.residual_level} /></Space> },
        { key: 'l', label: tr('保存至（不可删除）', 'Locked until'), children: a.locked_until ?? '—' },
        { key: 'd', label: tr('审批', 'Decision'), children: a.decided_at ? `${a.decided_by} · ${fmtTime(a.decided_at, lang)}` : '—' },
        { key: 'n', label: tr('下次复评', 'Next review'), children: a.next_review ?? '—' },
      ]} />
      {a.decision_note && <Alert style={{ marginTop: 8 }} type={a.state === 'approved' ? 'success' : 'info'} message={tr('审批意见', 'Decision note')} description={a.decision_note} />}
      <Divider />
      <Steps size="small" current={step} onChange={setStep} items={[...steps.map((s) => ({ title: s[lang].replace(/^[一二三四五六七八九十]+、|^\d+\. /, '') })), { title: tr('风险源与处置', 'Risk sources') }]} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" disabled={!editable} name="assessment">
        {steps.map((s, i) => (
          <div key={s.id} style={{ display: step === i ? 'block' : 'none' }}>
            <Typography.Title level={5}>{s[lang]} <Typography.Text type="secondary">{s.clause}</Typography.Text></Typography.Title>
            <Typography.Paragraph type="secondary">{lang === 'zh' ? s.hint_zh : s.hint_en}</Typography.Paragraph>
            {s.questions.map((qq) => (
              <Form.Item key={qq.id} name={['answers', qq.id]} label={qq[lang]} required={qq.required} valuePropName={qq.kind === 'boolean' ? 'checked' : 'value'}>
                {qq.kind === 'text' ? <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} /> : qq.kind === 'number' ? <InputNumber min={0} style={{ width: 200 }} /> : qq.kind === 'boolean' ? <Switch /> :
                  <Select mode={qq.kind === 'multi' ? 'multiple' : undefined} options={(qq.options ?? []).map((o) => ({ value: o.value, label: o[lang] }))} />}
              </Form.Item>
            ))}
          </div>
        ))}
        <div style={{ display: step === steps.length ? 'block' : 'none' }}>
          <Typography.Paragraph type="secondary">{tr(`风险值 = 可能性 × 影响程度；可接受水平：${a.matrix.acceptable_level}。高于可接受水平的风险须填写处置措施和残余评分。`, `Score = likelihood × impact; acceptable level: ${a.matrix.acceptable_level}. Risks above it need a mitigation and residual scores.`)}</Typography.Paragraph>
          <Form.List name="risk_sources">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Card key={f.key} size="small" style={{ marginBottom: 8 }} extra={editable && <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={tr('删除风险源', 'Remove risk source')} />}
                    title={<Space><span>{tr('风险源', 'Risk source')} {f.name + 1}</span><LevelTag level={a.risk_sources[f.name]?.level} /><span>→</span><LevelTag level={a.risk_sources[f.name]?.residual_level} /></Space>}>
                    <Space wrap align="start">
                      <Form.Item name={[f.name, 'category']} label={tr('类别', 'Category')} rules={[{ required: true }]} style={{ width: 220 }}><Select options={q.risk_source_categories.map((c) => ({ value: c.value, label: c[lang] }))} /></Form.Item>
                      <Form.Item name={[f.name, 'likelihood']} label={tr('可能性', 'Likelihood')} rules={[{ required: true }]} style={{ width: 120 }}><Select options={scale('likelihood')} /></Form.Item>
                      <Form.Item name={[f.name, 'impact']} label={tr('影响程度', 'Impact')} rules={[{ required: true }]} style={{ width: 120 }}><Select options={scale('impact')} /></Form.Item>
                      <Form.Item name={[f.name, 'residual_likelihood']} label={tr('残余可能性', 'Residual likelihood')} style={{ width: 130 }}><Select allowClear options={scale('likelihood')} /></Form.Item>
                      <Form.Item name={[f.name, 'residual_impact']} label={tr('残余影响', 'Residual impact')} style={{ width: 130 }}><Select allowClear options={scale('impact')} /></Form.Item>
                    </Space>
                    <Form.Item name={[f.name, 'description']} label={tr('描述', 'Description')} rules={[{ required: true }]}><Input /></Form.Item>
                    <Form.Item name={[f.name, 'rights_impacts']} label={tr('对个人权益的影响', 'Impact on rights')}><Select mode="multiple" options={q.rights_impacts.map((c) => ({ value: c.value, label: c[lang] }))} /></Form.Item>
                    <Form.Item name={[f.name, 'mitigation']} label={tr('处置措施', 'Mitigation')}><Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} /></Form.Item>
                    <Form.Item name={[f.name, 'register']} valuePropName="checked" style={{ marginBottom: 0 }}><Checkbox>{tr('批准后登记到风险台账', 'Put on the risk register when approved')}</Checkbox></Form.Item>
                  </Card>
                ))}
                {editable && <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ category: 'processing_flow', likelihood: 1, impact: 1 })}>{tr('添加风险源', 'Add a risk source')}</Button>}
              </>
            )}
          </Form.List>
        </div>
      </Form>
      <Divider />
      <Space wrap>
        <Button disabled={step === 0} onClick={() => setStep(step - 1)}>{tr('上一步', 'Back')}</Button>
        <Button disabled={step === steps.length} onClick={() => setStep(step + 1)}>{tr('下一步', 'Next')}</Button>
        {editable && <Button type="primary" loading={busy} onClick={() => void save()}>{tr('保存', 'Save')}</Button>}
        {editable && <Button loading={busy} onClick={() => void save().then(() => act(() => post<Assessment>(`/assessments/${id}/submit`), tr('已提交审批', 'Submitted')))}>{tr('提交审批', 'Submit for approval')}</Button>}
        {a.state === 'submitted' && can('assessments.approve') && <>
          <Button type="primary" onClick={() => setDecision('approve')}>{tr('批准', 'Approve')}</Button>
          <Button onClick={() => setDecision('return')}>{tr('退回修改', 'Return')}</Button>
          <Button danger onClick={() => setDecision('reject')}>{tr('不予通过', 'Reject')}</Button>
        </>}
      </Space>
      <Modal open={decision !== null} title={decision === 'approve' ? tr('批准评估', 'Approve') : decision === 'return' ? tr('退回修改', 'Return for rework') : tr('不予通过', 'Reject')} onCancel={() => setDecision(null)}
        onOk={() => void act(() => post<Assessment>(`/assessments/${id}/decision`, { decision, note, accept_residual: acceptResidual }), tr('已记录审批', 'Decision recorded')).then(() => setDecision(null))} okButtonProps={{ disabled: !note.trim() }}>
        <Input.TextArea aria-label={tr('审批意见', 'Decision note')} placeholder={tr('审批意见（必填）', 'Reasons (required)')} value={note} onChange={(e) => setNote(e.target.value)} autoSize={{ minRows: 3 }} />
        {decision === 'approve' && a.residual_acceptable === false && <Checkbox style={{ marginTop: 8 }} checked={acceptResidual} onChange={(e) => setAcceptResidual(e.target.checked)}>{tr('残余风险高于可接受水平，我确认接受', 'The residual risk is above acceptable; I accept it')}</Checkbox>}
      </Modal>
    </Drawer>
  );
}

