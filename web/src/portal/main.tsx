/**
 * Customer portal: the rights and how to exercise them (landing), then the self-service part (SelfService.tsx):
 * sign in with a one-time code, see masked data, withdraw consent, file and follow requests, complain.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Card, Col, Layout, Row, Segmented, Steps, Typography } from 'antd';
import { AuditOutlined, DeleteOutlined, EditOutlined, EyeOutlined, ExportOutlined, QuestionCircleOutlined, RollbackOutlined, RobotOutlined } from '@ant-design/icons';
import { LangProvider, useLang } from '../i18n';
import { SelfService } from './SelfService';
import './portal.css';

const RIGHTS = [
  { icon: <EyeOutlined />, zh: ['查阅、复制', '您有权查阅、复制我们处理的您的个人信息（《个人信息保护法》第四十五条）。'], en: ['Access and copy', 'You may see and obtain a copy of the personal information we process about you (PIPL Art. 45).'] },
  { icon: <ExportOutlined />, zh: ['转移', '符合条件时，您可以请求将个人信息转移至您指定的处理者（第四十五条）。'], en: ['Portability', 'Where the conditions are met, you may ask us to transfer your information to another handler you name (Art. 45).'] },
  { icon: <EditOutlined />, zh: ['更正、补充', '发现信息不准确或不完整时，您有权请求更正、补充（第四十六条）。'], en: ['Correction', 'If your information is inaccurate or incomplete, you may ask us to correct or complete it (Art. 46).'] },
  { icon: <DeleteOutlined />, zh: ['删除', '目的已实现、您撤回同意或我们违法处理等情形下，您有权请求删除（第四十七条）。'], en: ['Deletion', 'When the purpose is achieved, you withdraw consent, or processing is unlawful, you may ask us to delete it (Art. 47).'] },
  { icon: <RollbackOutlined />, zh: ['撤回同意', '基于同意的处理，您可以随时撤回同意；撤回不影响此前已进行的处理（第十五条）。'], en: ['Withdraw consent', 'Where we rely on your consent, you may withdraw it at any time; this does not affect earlier processing (Art. 15).'] },
  { icon: <QuestionCircleOutlined />, zh: ['解释说明', '您有权要求我们解释说明个人信息处理规则（第四十八条）。'], en: ['Explanation', 'You may ask us to explain our rules for processing your information (Art. 48).'] },
  { icon: <RobotOutlined />, zh: ['拒绝仅通过自动化决策作出的决定', '对您权益有重大影响的自动化决策，您有权要求说明并拒绝（第二十四条）。'], en: ['Automated decisions', 'For automated decisions with a major effect on you, you may ask for an explanation and refuse them (Art. 24).'] },
  { icon: <AuditOutlined />, zh: ['投诉、举报', '您可以向我们投诉，也可以向履行个人信息保护职责的部门投诉、举报（第六十五条）。'], en: ['Complaints', 'You may complain to us, and to the authorities responsible for personal information protection (Art. 65).'] },
];

function Portal() {
  const { lang, setLang, tr } = useLang();
  return (
    <Layout className="portal">
      <Layout.Header className="portal-header">
        <Typography.Title level={4} style={{ color: '#fff', margin: 0 }}>{tr('个人信息权利服务', 'Your personal information rights')}</Typography.Title>
        <Segmented aria-label="语言 / Language" value={lang} onChange={(v) => setLang(v as 'zh' | 'en')} options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />
      </Layout.Header>
      <Layout.Content className="portal-content">
        <Typography.Paragraph className="lead">
          {tr('根据《中华人民共和国个人信息保护法》，您对自己的个人信息享有知情权、决定权以及以下各项权利。我们会在核验您的身份后及时处理您的请求。',
            'Under the Personal Information Protection Law of the PRC you have the right to know and to decide about your personal information, and the rights below. We handle your request promptly once we have verified who you are.')}
        </Typography.Paragraph>
        <section aria-label={tr('在线服务', 'Online service')} style={{ marginBottom: 32 }}>
          <SelfService />
        </section>
        <Typography.Title level={3}>{tr('您的权利', 'Your rights')}</Typography.Title>
        <Row gutter={[16, 16]}>
          {RIGHTS.map((r) => (
            <Col key={r.en[0]} xs={24} sm={12} lg={6}>
              <Card className="right-card" bordered={false}>
                <div className="right-icon" aria-hidden>{r.icon}</div>
                <Typography.Title level={5}>{r[lang][0]}</Typography.Title>
                <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>{r[lang][1]}</Typography.Paragraph>
              </Card>
            </Col>
          ))}
        </Row>
        <Typography.Title level={3} style={{ marginTop: 32 }}>{tr('如何行使', 'How to exercise them')}</Typography.Title>
        <Card bordered={false}>
          <Steps direction="vertical" current={-1} items={[
            { title: tr('在线或联系客服', 'Online or through customer service'), description: tr('在本页登录后直接查看信息、撤回同意或提交申请；也可以联系客服，说明您要行使的权利。', 'Sign in on this page to see your information, withdraw consent or file a request; or contact customer service and say which right you want to exercise.') },
            { title: tr('核验身份', 'Verify your identity'), description: tr('为保护您的信息，我们会通过您登记的手机号或邮箱核验身份，不会要求您提供密码。', 'To protect your information we verify you through the phone number or email on record; we never ask for your password.') },
            { title: tr('处理与答复', 'Handling and reply'), description: tr('我们会在法律规定的期限内答复；拒绝请求时会说明理由。', 'We reply within the time the law allows, and give reasons if we refuse.') },
            { title: tr('不满意时', 'If you are not satisfied'), description: tr('您可以向我们投诉，也可以向网信部门等履行个人信息保护职责的部门投诉、举报，或依法向人民法院起诉（第五十条）。', 'You may complain to us, to the cyberspace administration or other authorities responsible for personal information protection, or bring a claim in court (Art. 50).') },
          ]} />
        </Card>
        <Typography.Paragraph type="secondary" style={{ marginTop: 32, textAlign: 'center' }}>
          {tr('登录后显示的信息均已部分隐藏；验证码仅发送至我们已登记的手机号或邮箱。', 'Information shown after sign-in is partly hidden; codes are sent only to the phone or email we hold on record.')}
        </Typography.Paragraph>
      </Layout.Content>
    </Layout>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode><LangProvider messages={{}}><Portal /></LangProvider></StrictMode>,
);
