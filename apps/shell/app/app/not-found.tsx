import Link from 'next/link';
import { Button, Card, CardDescription, CardFooter, CardHeader, CardTitle } from '@afenda/ui';

export default function WorkspaceNotFound() {
  return (
    <Card className="max-w-xl">
      <CardHeader>
        <CardDescription>404</CardDescription>
        <CardTitle>This page isn’t here</CardTitle>
        <CardDescription>
          The page you asked for does not exist in your workspace, or has moved.
        </CardDescription>
      </CardHeader>
      <CardFooter>
        <Button asChild variant="outline">
          <Link href="/app">Go to your workspace</Link>
        </Button>
      </CardFooter>
    </Card>
  );
}
