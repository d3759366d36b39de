export const metadata = { title: 'coze-auth · Next.js' }

export default function RootLayout ({ children }) {
  return (
    <html lang='en'>
      <body>{children}</body>
    </html>
  )
}
