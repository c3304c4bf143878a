def test_fake_answerer_cites_the_article(fake_answerer):
    reply = fake_answerer.answer("Who is the author of the article?")
    assert reply.found and reply.facts[0].values["author"] == "Daniel Larison"
