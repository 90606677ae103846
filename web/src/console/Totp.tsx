/** Enrol a TOTP authenticator for the signed-in staff member (QR code of the otpauth URL, then confirm a code). */
import { useEffect, useState } from 'react';
import { Alert, App, Form, Input, Modal, QRCode, Spin, Typography } from 'antd';
import { post } from '../api';
import { useLang } from '../i18n';
import { useAuth } from './auth';
import { useErrorText } from './ui';

export function TotpModal({ open, onClose }: { open: boolean; onClose(): void }) {
  const { tr } = useLang();
  const { message } = App.useApp();
  const { identity, refresh } = useAuth();
  const errText = useErrorText();
  const [setup, setSetup] = useState<{ secret: string; otpauth_url: string } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ code: string }>();

  useEffect(() => {
    if (!open || identity?.totp) return;
    setSetup(null); setErr(null);
    post<{ secret: string; otpauth_url: string }>('/auth/totp/setup').then(setSetup, (e) => setErr(errText(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const enable = async (v: { code: string }) => {
    setBusy(true); setErr(null);
    try {
      await post('/auth/totp/enable', { code: v.code });
      await refresh();
      message.success(tr('已启用两步验证', 'Two-step verification is on'));
      form.resetFields(); onClose();
    } catch (e) { setErr(errText(e)); } finally { setBusy(false); }
  };

  return (
    <Modal title={tr('两步验证（TOTP）', 'Two-step verification (TOTP)')} open={open} onCancel={onClose} destroyOnClose
      okText={tr('启用', 'Turn on')} onOk={() => form.submit()} confirmLoading={busy} okButtonProps={{ disabled: Boolean(identity?.totp) || !setup }}>
      {identity?.totp ? <Alert type="success" showIcon message={tr('两步验证已启用。', 'Two-step verification is on.')} /> : (
        <>
          {err && <Alert type="error" showIcon role="alert" message={err} style={{ marginBottom: 12 }} />}
          {!setup ? (!err && <Spin />) : (
            <>
              <Typography.Paragraph>{tr('用验证器应用（如微信小程序“腾讯身份验证器”、Google Authenticator）扫描二维码，然后输入显示的 6 位数字。', 'Scan the code with an authenticator app, then enter the 6 digits it shows.')}</Typography.Paragraph>
              <div style={{ display: 'flex', gap: 16, alignItems: 'center' }}>
                <QRCode value={setup.otpauth_url} size={160} bordered />
                <div><Typography.Text type="secondary">{tr('无法扫描时手动输入密钥：', 'Or enter this key by hand:')}</Typography.Text><br /><Typography.Text code copyable>{setup.secret}</Typography.Text></div>
              </div>
              <Form form={form} layout="vertical" onFinish={enable} style={{ marginTop: 16 }} name="totp-enable">
                <Form.Item name="code" label={tr('验证码', 'Code')} rules={[{ required: true, pattern: /^\d{6}$/, message: tr('请输入 6 位数字', 'Enter 6 digits') }]}>
                  <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} style={{ width: 160 }} />
                </Form.Item>
              </Form>
            </>
          )}
        </>
      )}
    </Modal>
  );
}
