/** Training and accountability: my courses and quizzes; for managers, courses by role, coverage and violations. */
import { useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { get, post, type Role } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { EmptyState, ErrorState, fmtTime, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

interface Violation { id: string; staff_id: string; source: string; description: string; measure: string; created_at: string }
interface TrainingRecord { id: string; staff_id: string; course: string; completed_at: string; expires_at: string }
const MEASURES: Array<[string, string, string]> = [['warning', '警告', 'warning'], ['retraining', '重新培训（立即停止访问个人信息）', 'retraining (PI access stops)'], ['access_suspended', '停用账户', 'suspend the account'], ['disciplinary', '纪律处分', 'disciplinary'], ['reward', '奖励', 'reward'], ['other', '其他', 'other']];

interface Person { staff_id: string; username: string; display_name: string; expires_at: string | null; state: 'due' | 'expiring' | 'valid' }
interface Course { course_id: string; title: string; assigned?: number; valid?: number; people?: Person[]; state?: Person['state']; expires_at?: string | null }
const STATE: Record<string, { zh: string; en: string; color: string }> = { due: { zh: '待完成', en: 'due', color: 'red' }, expiring: { zh: '即将到期', en: 'expiring', color: 'orange' }, valid: { zh: '有效', en: 'valid', color: 'green' } };

function TakeCourse({ id, onDone }: { id: string; onDone: () => void }) {
  const { tr } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const c = useLoad((signal) => get<{ title: string; content: string; pass_score: number; questions: Array<{ question: string; options: string[] }> }>(`/trainings/courses/${id}`, { signal }), [id]);
  const [answers, setAnswers] = useState<number[]>([]);
  if (c.error) return <ErrorState error={c.error} />;
  if (!c.data) return null;
  const submit = async () => {
    try {
      const r = await post<{ score: number; passed: boolean }>(`/trainings/courses/${id}/attempts`, { answers });
      if (r.passed) { message.success(tr(`通过（${r.score} 分）`, `Passed (${r.score}%)`)); onDone(); } else message.warning(tr(`未通过（${r.score} 分，需 ${c.data!.pass_score}）`, `Not passed (${r.score}%, ${c.data!.pass_score} needed)`));
    } catch (e) { message.error(errText(e)); }
  };
  return (
    <div>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{c.data.content}</Typography.Paragraph>
      {c.data.questions.map((q, i) => (
        <div key={i} style={{ marginBottom: 12 }}>
          <Typography.Text strong>{i + 1}. {q.question}</Typography.Text>
          <div><Radio.Group value={answers[i]} onChange={(e) => { const a = [...answers]; a[i] = e.target.value; setAnswers(a); }} options={q.options.map((o, j) => ({ value: j, label: o }))} /></div>
        </div>
      ))}
      <Button type="primary" disabled={answers.filter((x) => x !== undefined).length !== c.data.questions.length} onClick={submit}>{tr('提交测验', 'Submit')}</Button>
    </div>
  );
}

export default function Training() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const { can } = useAuth();
  const list = useLoad((signal) => get<{ courses: Course[] }>('/trainings/courses', { signal }));
  const roles = useLoad((signal) => (can('compliance.manage') ? get<{ roles: Role[] }>('/roles', { signal }).catch(() => ({ roles: [] as Role[] })) : Promise.resolve({ roles: [] as Role[] })), [can]);
  const records = useServerList<Violation>('/accountability', 'records', { sort: 'created_at', order: 'desc' }, can('compliance.read'));
  const completions = useServerList<TrainingRecord>('/trainings', 'trainings', { sort: 'completed_at', order: 'desc' }, can('roles.manage'));
  const sourceLabel = (s: string) => ({ incident: tr('安全事件', 'Incident'), audit: tr('审计', 'Audit'), other: tr('其他', 'Other') } as Record<string, string>)[s] ?? s;
  const measureLabel = (m: string) => { const x = MEASURES.find(([v]) => v === m); return x ? (lang === 'zh' ? x[1] : x[2]) : m; };
  const [taking, setTaking] = useState<string | null>(null);
  const [newCourse, setNewCourse] = useState(false);
  const [violation, setViolation] = useState(false);
  const [cform] = Form.useForm();
  const [vform] = Form.useForm();
  const manager = can('compliance.manage');
  return (
    <Tabs items={[
      { key: 'courses', label: tr('培训课程', 'Courses'), children: (
        <Card extra={manager && <Button icon={<PlusOutlined />} onClick={() => setNewCourse(true)}>{tr('新建课程', 'New course')}</Button>}>
          {list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : (
            <Table<Course> rowKey="course_id" loading={list.loading} dataSource={list.data?.courses ?? []} pagination={false}
              locale={{ emptyText: <EmptyState title={tr('没有分配给您的课程', 'No course assigned')} /> }}
              expandable={manager ? { expandedRowRender: (c) => <Table<Person> size="small" rowKey="staff_id" dataSource={c.people} pagination={false} columns={[
                { title: tr('员工', 'Staff'), render: (_: unknown, p) => `${p.display_name} (${p.username})` }, { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => <Tag color={STATE[s].color}>{STATE[s][lang]}</Tag> }, { title: tr('有效期至', 'Valid until'), dataIndex: 'expires_at' },
              ]} /> } : undefined}
              columns={[
                { title: tr('课程', 'Course'), dataIndex: 'title' },
                manager ? { title: tr('覆盖', 'Coverage'), render: (_: unknown, c) => `${c.valid}/${c.assigned}` } : { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => <Tag color={STATE[s]?.color}>{STATE[s]?.[lang]}</Tag> },
                { title: '', render: (_: unknown, c) => <Button size="small" onClick={() => setTaking(c.course_id)}>{tr('学习并测验', 'Study and take the quiz')}</Button> },
              ]} />
          )}
        </Card>
      ) },
      ...(can('compliance.read') ? [{ key: 'accountability', label: tr('责任追究', 'Accountability'), children: (
        <Card extra={manager && <Button icon={<PlusOutlined />} onClick={() => setViolation(true)}>{tr('记录违规', 'Record a violation')}</Button>}>
          <ServerTable<Violation> list={records} rowKey="id" empty={tr('没有责任追究记录', 'No accountability records')} emptyHint={tr('违反个人信息保护制度的情况及所采取的措施记录在此。', 'Breaches of the PI protection rules and the measures taken are recorded here.')} columns={[
            { title: tr('员工', 'Staff'), dataIndex: 'staff_id', ...records.sortCol('staff_id') },
            { title: tr('来源', 'Source'), dataIndex: 'source', render: sourceLabel, ...records.sortCol('source'), ...records.filterCol('source', ['incident', 'audit', 'other'].map((v) => ({ text: sourceLabel(v), value: v })), { multiple: false }) },
            { title: tr('情况', 'Description'), dataIndex: 'description' },
            { title: tr('措施', 'Measure'), dataIndex: 'measure', render: (m: string) => <Tag>{measureLabel(m)}</Tag>, ...records.sortCol('measure'), ...records.filterCol('measure', MEASURES.map(([v]) => ({ text: measureLabel(v), value: v })), { multiple: false }) },
            { title: tr('时间', 'At'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang), ...records.sortCol('created_at') },
          ]} />
        </Card>
      ) }] : []),
      ...(can('roles.manage') ? [{ key: 'records', label: tr('培训记录', 'Training records'), children: (
        <Card>
          <ServerTable<TrainingRecord> list={completions} rowKey="id" empty={tr('没有培训记录', 'No training records')} emptyHint={tr('员工完成培训（或由管理员登记）后，记录及其有效期显示在此。', 'Completed trainings (taken or recorded by an administrator) and their validity appear here.')} columns={[
            { title: tr('员工', 'Staff'), dataIndex: 'staff_id', ...completions.sortCol('staff_id') },
            { title: tr('课程', 'Course'), dataIndex: 'course', ...completions.sortCol('course') },
            { title: tr('完成日期', 'Completed'), dataIndex: 'completed_at', ...completions.sortCol('completed_at') },
            { title: tr('有效期至', 'Valid until'), dataIndex: 'expires_at', ...completions.sortCol('expires_at'),
              ...completions.filterCol('expires_at', [{ text: tr('有效', 'Current'), value: 'true' }, { text: tr('已过期', 'Expired'), value: 'false' }], { param: 'current', multiple: false }) },
          ]} />
        </Card>
      ) }] : []),
    ]} tabBarExtraContent={<>
      <Modal open={Boolean(taking)} width={720} footer={null} title={tr('培训', 'Training')} onCancel={() => setTaking(null)} destroyOnClose>{taking && <TakeCourse id={taking} onDone={() => { setTaking(null); list.reload(); }} />}</Modal>
      <Modal open={newCourse} title={tr('新建课程', 'New course')} onCancel={() => setNewCourse(false)} onOk={() => cform.submit()} destroyOnClose width={720}>
        <Form form={cform} layout="vertical" initialValues={{ pass_score: 80, validity_days: 365, quiz: [{ options: ['', ''], answer: 0 }] }} onFinish={async (v: Record<string, unknown>) => {
          try { await post('/trainings/courses', v); setNewCourse(false); list.reload(); } catch (e) { message.error(errText(e)); }
        }}>
          <Form.Item name="title" label={tr('课程名称', 'Title')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="content" label={tr('内容', 'Content')} rules={[{ required: true }]}><Input.TextArea rows={5} /></Form.Item>
          <Space><Form.Item name="pass_score" label={tr('及格分', 'Pass score')}><InputNumber min={1} max={100} /></Form.Item><Form.Item name="validity_days" label={tr('有效天数', 'Valid (days)')}><InputNumber min={1} max={3650} /></Form.Item></Space>
          <Form.Item name="roles" label={tr('分配给角色', 'Assigned to roles')} rules={[{ required: true }]}><Select mode="multiple" options={(roles.data?.roles ?? []).map((r) => ({ value: r.name, label: r.title ?? r.name }))} /></Form.Item>
          <Form.List name="quiz">{(fields, { add, remove }) => (<>
            {fields.map((f) => (
              <Card size="small" key={f.key} style={{ marginBottom: 8 }} extra={<Button size="small" onClick={() => remove(f.name)}>{tr('删除', 'Remove')}</Button>}>
                <Form.Item name={[f.name, 'question']} label={tr('题目', 'Question')} rules={[{ required: true }]}><Input /></Form.Item>
                <Form.Item name={[f.name, 'options']} label={tr('选项（每行一个）', 'Options (one per line)')} getValueFromEvent={(e) => String(e.target.value).split('\n')} getValueProps={(v: string[]) => ({ value: (v ?? []).join('\n') })} rules={[{ required: true }]}><Input.TextArea rows={3} /></Form.Item>
                <Form.Item name={[f.name, 'answer']} label={tr('正确选项序号（从 0 开始）', 'Correct option (from 0)')}><InputNumber min={0} /></Form.Item>
              </Card>
            ))}
            <Button onClick={() => add({ options: ['', ''], answer: 0 })}>{tr('添加题目', 'Add a question')}</Button>
          </>)}</Form.List>
        </Form>
      </Modal>
      <Modal open={violation} title={tr('记录违规与措施', 'Record a violation and the measure')} onCancel={() => setViolation(false)} onOk={() => vform.submit()} destroyOnClose>
        <Form form={vform} layout="vertical" initialValues={{ source: 'audit', measure: 'warning' }} onFinish={async (v: Record<string, unknown>) => { try { await post('/accountability', v); setViolation(false); records.reload(); } catch (e) { message.error(errText(e)); } }}>
          <Form.Item name="staff_id" label={tr('员工 ID', 'Staff id')} rules={[{ required: true }]}><Input placeholder="stf_…" /></Form.Item>
          <Form.Item name="source" label={tr('来源', 'Source')}><Radio.Group options={[{ value: 'incident', label: tr('安全事件', 'Incident') }, { value: 'audit', label: tr('审计', 'Audit') }, { value: 'other', label: tr('其他', 'Other') }]} /></Form.Item>
          <Form.Item name="description" label={tr('情况', 'What happened')} rules={[{ required: true }]}><Input.TextArea rows={3} /></Form.Item>
          <Form.Item name="measure" label={tr('措施', 'Measure')}><Select options={MEASURES.map(([v, zh, en]) => ({ value: v, label: lang === 'zh' ? zh : en }))} /></Form.Item>
        </Form>
      </Modal>
    </>} />
  );
}
