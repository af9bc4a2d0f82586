import { Layout } from '../app/Layout';
import { Link } from '../router/router';

export function NotFoundPage() {
  return (
    <Layout title="Page not found">
      <p>There is no page at this address. <Link to="/">Go to the start page</Link>.</p>
    </Layout>
  );
}
