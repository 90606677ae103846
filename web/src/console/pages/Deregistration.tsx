/** Enterprise deregistration (企业注销): request, second-person approval (freezes processing), notice, destruction, certificate. */
import { useState } from 'react';
import { App, Alert, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Result, Select, Space, Steps, Typography } from 'antd';
import { ApiError, get, post } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { ErrorState, fmtTime, useErrorText, useLoad } from '../ui';

interface Dereg { id: string; state: string; reason: string; requested_by: string; requested_at: string; approved_by: string | null; approved_at: string | null; notice: Record<string, unknown> | null; destroyed_at: string | null; certificate_id: string | null; active_legal_holds: string[]; archive: Array<{ collection: string; fields?: string[]; legal_basis: string }> }

export default function Deregistration() {
  const { tr, lang } = useLang();
  const { message, modal } = App.useApp();
  const errText = useErrorText();
  const { can } = useAuth();
  const me = useLoad((signal) => get<{ tenant?: string; staff?: { tenant: string } }>('/auth/me', { signal }));
  const tenant = me.data?.tenant ?? me.data?.staff?.tenant;
  const d = useLoad((signal) => (tenant ? get<Dereg>(`/tenants/${tenant}/deregistration`, { signal }) : Promise.resolve(undefined)), [tenant]);
  const [form] = Form.useForm();
  const [notice] = Form.useForm();
  const [exec] = Form.useForm();
  const [done, setDone] = useState<{ certificate: { certificate_id: string; signer: { fingerprint: string } }; archive: { file: string; sha256: string } | null } | null>(null);
  const base = `/tenants/${tenant}/deregistration`;
  const act = async (fn: () => Promise<unknown>) => { try { await fn(); d.reload(); } catch (e) { message.error(errText(e)); } };
  const none = d.error instanceof ApiError && d.error.code === 'deregistration.not_found';
  const v = none ? undefined : d.data;
  const step = !v || v.state === 'cancelled' ? 0 : v.state === 'requested' ? 1 : v.state === 'approved' ? (v.notice ? 3 : 2) : 4;

  if (done) {
    return <Result status="success" title={tr('已销毁并签发销毁证明', 'Destroyed; certificate issued')} subTitle={`${done.certificate.certificate_id} · ${tr('签名公钥指纹', 'signer fingerprint')} ${done.certificate.signer.fingerprint}`}
      extra={<Space><Button type="primary" href={`/certificates/${done.certificate.certificate_id}`} target="_blank">JSON</Button><Button href={`/certificates/${done.certificate.certificate_id}?format=pdf`} target="_blank">PDF</Button></Space>} />;
  }
  return (
    <Card title={tr('企业注销与个人信息销毁', 'Enterprise deregistration and destruction of PI')}>
      <Steps current={step} style={{ marginBottom: 24 }} items={[
        { title: tr('申请', 'Request') }, { title: tr('第二人审批（冻结处理）', 'Second-person approval (freeze)') }, { title: tr('通知客户', 'Notify customers') }, { title: tr('销毁与校验', 'Destroy and verify') }, { title: tr('销毁证明', 'Certificate') },
      ]} />
      {d.error && !none ? <ErrorState error={d.error} onRetry={d.reload} /> : (
        <>
          {v && v.state !== 'cancelled' && <Descriptions bordered size="small" column={2} style={{ marginBottom: 16 }} items={[
            { key: 'r', label: tr('原因', 'Reason'), children: v.reason, span: 2 },
            { key: 'by', label: tr('申请人 / 时间', 'Requested by / at'), children: `${v.requested_by} · ${fmtTime(v.requested_at, lang)}` },
            { key: 'ap', label: tr('审批人 / 时间', 'Approved by / at'), children: v.approved_by ? `${v.approved_by} · ${fmtTime(v.approved_at, lang)}` : '—' },
            { key: 'ar', label: tr('留存归档', 'Archive'), children: v.archive.map((a) => `${a.collection}（${a.legal_basis}）`).join('；') || '—', span: 2 },
          ]} />}
          {v && v.active_legal_holds.length > 0 && <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={tr(`有 ${v.active_legal_holds.length} 项法律保全未解除：解除前不能销毁`, `${v.active_legal_holds.length} legal hold(s) active: destruction waits until they are released`)} />}
          {step === 0 && can('deregistration.manage') && (
            <Form form={form} layout="vertical" style={{ maxWidth: 640 }} onFinish={(x: { reason: string; collection?: string; legal_basis?: string; witness?: string }) => act(() => post(base, {
              reason: x.reason, ...(x.witness ? { witness: { name: x.witness } } : {}), ...(x.collection ? { archive: [{ collection: x.collection, legal_basis: x.legal_basis ?? '' }] } : {}),
            }))}>
              <Form.Item name="reason" label={tr('注销原因', 'Reason')} rules={[{ required: true }]}><Input.TextArea rows={3} /></Form.Item>
              <Form.Item name="collection" label={tr('依法须留存的集合（可选）', 'Collection the law requires to keep (optional)')}><Input placeholder="customers" /></Form.Item>
              <Form.Item name="legal_basis" label={tr('留存依据', 'Legal basis for keeping it')}><Input /></Form.Item>
              <Form.Item name="witness" label={tr('外部见证人（可选）', 'External witness (optional)')}><Input /></Form.Item>
              <Button type="primary" danger htmlType="submit">{tr('提交注销申请', 'Request deregistration')}</Button>
            </Form>
          )}
          {step === 1 && <Space>
            {can('deregistration.approve') && <Button type="primary" danger onClick={() => modal.confirm({ title: tr('审批后将立即冻结全部个人信息处理，确认？', 'Approval freezes all processing of PI at once. Continue?'), onOk: () => act(() => post(`${base}/approve`, {})) })}>{tr('审批并冻结', 'Approve and freeze')}</Button>}
            <Button onClick={() => act(() => post(`${base}/cancel`, { reason: tr('撤销', 'cancelled') }))}>{tr('撤销申请', 'Cancel')}</Button>
          </Space>}
          {step === 2 && (
            <Form form={notice} layout="vertical" style={{ maxWidth: 640 }} initialValues={{ channel: 'announcement' }} onFinish={(x: { channel: string; summary: string; url?: string; recipients?: number }) => act(() => post(`${base}/notice`, { ...x, published_at: new Date().toISOString() }))}>
              <Form.Item name="channel" label={tr('通知方式', 'Channel')}><Select options={['announcement', 'email', 'sms', 'letter', 'app', 'other'].map((c) => ({ value: c, label: c }))} /></Form.Item>
              <Form.Item name="summary" label={tr('通知内容摘要', 'What customers were told')} rules={[{ required: true }]}><Input.TextArea rows={3} /></Form.Item>
              <Form.Item name="url" label={tr('公告链接', 'Link')}><Input /></Form.Item>
              <Form.Item name="recipients" label={tr('通知人数', 'Recipients')}><InputNumber min={0} /></Form.Item>
              <Button type="primary" htmlType="submit">{tr('记录通知', 'Record the notice')}</Button>
            </Form>
          )}
          {step === 3 && (
            <Form form={exec} layout="vertical" style={{ maxWidth: 640 }} onFinish={(x: { confirm_tenant_name: string; archive_passphrase?: string }) => modal.confirm({
              title: tr('销毁不可撤销：全部密钥将被销毁，任何人都无法再解密这些数据。', 'Destruction is irreversible: every key is destroyed and nobody can decrypt this data again.'), okType: 'danger',
              onOk: async () => { try { setDone(await post(`${base}/execute`, x)); } catch (e) { message.error(errText(e)); } },
            })}>
              <Alert type="error" showIcon style={{ marginBottom: 16 }} message={tr('执行人不能是审批人（双人规则）。备份校验请在服务器上用 custodian 命令执行。', 'The executor cannot be the approver (two-person rule). Backups are verified with the custodian command on the server.')} />
              <Form.Item name="confirm_tenant_name" label={tr('输入租户名称以确认', 'Type the tenant name to confirm')} rules={[{ required: true }]}><Input /></Form.Item>
              {v && v.archive.length > 0 && <Form.Item name="archive_passphrase" label={tr('归档口令（至少 12 个字符）', 'Archive passphrase (at least 12 characters)')} rules={[{ required: true, min: 12 }]}><Input.Password /></Form.Item>}
              <Button type="primary" danger htmlType="submit">{tr('销毁并签发证明', 'Destroy and issue the certificate')}</Button>
            </Form>
          )}
          {step === 4 && v?.certificate_id && <Typography.Paragraph>{tr('销毁证明：', 'Certificate: ')}<Typography.Link href={`/certificates/${v.certificate_id}`} target="_blank">{v.certificate_id}</Typography.Link></Typography.Paragraph>}
        </>
      )}
    </Card>
  );
}
