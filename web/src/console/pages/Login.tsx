import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Tabs, Typography } from 'antd';
import { KeyOutlined, LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { ApiError } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { useErrorText } from '../ui';
import { LangSwitch } from '../App';

export function LoginPage() {
  const { tr } = useLang();
  const { loginStaff, loginKey } = useAuth();
  const errText = useErrorText();
  const [tab, setTab] = useState('staff');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [needTotp, setNeedTotp] = useState(false);
  const [noStaffLogin, setNoStaffLogin] = useState(false);

  const staff = async (v: { username: string; password: string; totp?: string }) => {
    setBusy(true); setError(null);
    try { await loginStaff(v.username, v.password, v.totp); } catch (e) {
      if (e instanceof ApiError && e.code === 'auth.totp_required') { setNeedTotp(true); setError(needTotp ? errText(e) : null); }
      else if (e instanceof ApiError && e.status === 404) { setNoStaffLogin(true); setTab('key'); }
      else setError(errText(e));
    } finally { setBusy(false); }
  };
  const key = async (v: { key: string }) => {
    setBusy(true); setError(null);
    try { await loginKey(v.key); } catch (e) { setError(errText(e)); } finally { setBusy(false); }
  };

  return (
    <div className="login">
      <div className="login-lang"><LangSwitch /></div>
      <Card className="login-card" bordered={false}>
        <Typography.Title level={3} style={{ textAlign: 'center', marginBottom: 4 }}>{tr('Custodian 管理控制台', 'Custodian console')}</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>{tr('客户个人信息保管与 PIPL 合规', 'Customer PI vault and PIPL operations')}</Typography.Paragraph>
        {error && <Alert role="alert" type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Tabs activeKey={tab} onChange={(k) => { setTab(k); setError(null); }} centered items={[
          {
            key: 'staff', label: tr('员工登录', 'Staff sign-in'),
            children: noStaffLogin
              ? <Alert type="info" showIcon message={tr('此服务器尚未提供员工登录，请使用 API 密钥登录。', 'This server does not offer staff sign-in yet; use an API key.')} />
              : (
                <Form layout="vertical" onFinish={staff} requiredMark={false} name="staff-login">
                  <Form.Item name="username" label={tr('用户名', 'Username')} rules={[{ required: true, message: tr('请输入用户名', 'Enter your username') }]}>
                    <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
                  </Form.Item>
                  <Form.Item name="password" label={tr('密码', 'Password')} rules={[{ required: true, message: tr('请输入密码', 'Enter your password') }]}>
                    <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
                  </Form.Item>
                  {needTotp && (
                    <Form.Item name="totp" label={tr('动态验证码（TOTP）', 'Authenticator code (TOTP)')} extra={tr('请输入验证器应用中的 6 位数字', 'Enter the 6 digits from your authenticator app')} rules={[{ required: true, pattern: /^\d{6}$/, message: tr('请输入 6 位数字', 'Enter 6 digits') }]}>
                      <Input prefix={<SafetyOutlined />} inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
                    </Form.Item>
                  )}
                  <Button type="primary" htmlType="submit" block loading={busy}>{tr('登录', 'Sign in')}</Button>
                </Form>
              ),
          },
          {
            key: 'key', label: tr('API 密钥（开发用）', 'API key (developer)'),
            children: (
              <Form layout="vertical" onFinish={key} requiredMark={false} name="key-login">
                <Form.Item name="key" label={tr('API 密钥', 'API key')} extra={tr('仅保存在本浏览器标签页的会话存储中，关闭即清除。', 'Kept only in this tab\'s session storage; closing the tab clears it.')} rules={[{ required: true, message: tr('请输入 API 密钥', 'Enter an API key') }]}>
                  <Input.Password prefix={<KeyOutlined />} placeholder="cst_…" autoComplete="off" />
                </Form.Item>
                <Button type="primary" htmlType="submit" block loading={busy}>{tr('使用密钥登录', 'Sign in with key')}</Button>
              </Form>
            ),
          },
        ]} />
      </Card>
    </div>
  );
}
