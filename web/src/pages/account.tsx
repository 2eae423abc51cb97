/** The signed-in person's own account: a component per file under account/. */
export { AccountPage } from './account/account-page.tsx';
