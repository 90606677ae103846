/** Reports: the periodic report for management and the public transparency page. */
import { useState } from 'react';
import { App, Alert, Button, Card, DatePicker, Form, Input, Modal, Space, Tag, Typography } from 'antd';
import { DownloadOutlined, GlobalOutlined, PlusOutlined } from '@ant-design/icons';
import { fetchFile, get, post } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { download, fmtTime, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

interface Report { id: string; kind: 'management' | 'transparency'; period_from: string | null; period_to: string | null; created_by: string; created_at: string; published_at: string | null }

export default function Reports() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const { can } = useAuth();
  const list = useServerList<Report>('/reports', 'reports', { sort: 'created_at', order: 'desc' });
  const me = useLoad((signal) => get<{ tenant?: string; staff?: { tenant: string } }>('/auth/me', { signal }));
  const tenant = me.data?.tenant ?? me.data?.staff?.tenant;
  const [gen, setGen] = useState(false);
  const [pub, setPub] = useState(false);
  const [gform] = Form.useForm();
  const [pform] = Form.useForm();
  const manage = can('compliance.manage');
  const exportAs = async (r: Report, f: string) => { try { download(`report-${r.id}.${f}`, await fetchFile(`/reports/${r.id}?format=${f}`)); } catch (e) { message.error(errText(e)); } };
  return (
    <Card title={tr('报告', 'Reports')} extra={manage && <Space>
      <Button icon={<PlusOutlined />} onClick={() => setGen(true)}>{tr('管理层报告', 'Management report')}</Button>
      <Button icon={<GlobalOutlined />} onClick={() => setPub(true)}>{tr('发布透明度页面', 'Publish transparency page')}</Button>
    </Space>}>
      {tenant && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={<span>{tr('公开透明度页面（无需登录）：', 'Public transparency page (no sign-in): ')}<Typography.Link href={`/transparency/${tenant}`} target="_blank">/transparency/{tenant}</Typography.Link></span>} />}
      {(
        <ServerTable<Report> list={list} rowKey="id" empty={tr('还没有报告', 'No reports yet')} emptyHint={tr('每月 1 日自动生成上月的管理层报告。', 'A management report for the previous month is generated on the 1st of each month.')}
          columns={[
            { title: tr('类型', 'Kind'), dataIndex: 'kind', ...list.sortCol('kind'), ...list.filterCol('kind', [{ text: tr('管理层报告', 'management'), value: 'management' }, { text: tr('透明度页面', 'transparency'), value: 'transparency' }], { multiple: false }), render: (k: string) => <Tag color={k === 'transparency' ? 'purple' : 'blue'}>{k === 'transparency' ? tr('透明度页面', 'transparency') : tr('管理层报告', 'management')}</Tag> },
            { title: tr('期间', 'Period'), render: (_: unknown, r) => (r.period_from ? `${r.period_from} – ${r.period_to}` : '—'), ...list.sortCol('period_from') },
            { title: tr('生成', 'Created'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('created_at') },
            { title: tr('发布', 'Published'), dataIndex: 'published_at', render: (t: string | null) => fmtTime(t, lang), ...list.sortCol('published_at'),
              ...list.filterCol('published_at', [{ text: tr('已发布', 'published'), value: 'true' }, { text: tr('未发布', 'not published'), value: 'false' }], { param: 'published', multiple: false }) },
            { title: '', render: (_: unknown, r) => <Space>{['xlsx', 'docx', 'pdf'].map((f) => <Button key={f} size="small" icon={<DownloadOutlined />} onClick={() => exportAs(r, f)}>{f.toUpperCase()}</Button>)}</Space> },
          ]} />
      )}
      <Modal open={gen} title={tr('生成管理层报告', 'Generate a management report')} onCancel={() => setGen(false)} onOk={() => gform.submit()} destroyOnClose>
        <Form form={gform} layout="vertical" onFinish={async (v: { period: [{ format(f: string): string }, { format(f: string): string }] }) => {
          try { await post('/reports', { kind: 'management', from: v.period[0].format('YYYY-MM-DD'), to: v.period[1].format('YYYY-MM-DD') }); setGen(false); list.reload(); } catch (e) { message.error(errText(e)); }
        }}>
          <Form.Item name="period" label={tr('期间', 'Period')} rules={[{ required: true }]}><DatePicker.RangePicker /></Form.Item>
        </Form>
      </Modal>
      <Modal open={pub} title={tr('发布透明度页面', 'Publish the transparency page')} onCancel={() => setPub(false)} onOk={() => pform.submit()} destroyOnClose>
        <Typography.Paragraph type="secondary">{tr('页面由当前登记的目的、数据集合、保存期限和告知文本生成，并附上负责人联系方式（在“合规审计 › 设置”中填写）。', 'The page is built from the registered purposes, collections, retention rules and notices, with the officer contact (set under Compliance › Settings).')}</Typography.Paragraph>
        <Form form={pform} layout="vertical" onFinish={async (v: Record<string, string>) => { try { await post('/reports/transparency', v); setPub(false); list.reload(); message.success(tr('已发布', 'Published')); } catch (e) { message.error(errText(e)); } }}>
          <Form.Item name="intro_zh" label={tr('导语（中文）', 'Introduction (Chinese)')}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="intro_en" label={tr('导语（英文）', 'Introduction (English)')}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="rights_channel" label={tr('行使权利的渠道', 'Where to exercise rights')}><Input /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
