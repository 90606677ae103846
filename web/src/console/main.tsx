import { StrictMode } from 'react';
import './console.css';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App as AntApp } from 'antd';
import { LangProvider } from '../i18n';
import { AuthProvider } from './auth';
import { ConsoleApp } from './App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LangProvider messages={{}}>
      <AntApp>
        <AuthProvider>
          <BrowserRouter basename="/console">
            <ConsoleApp />
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </LangProvider>
  </StrictMode>,
);
